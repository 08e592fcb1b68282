"""Parse and validate a taxonomy file (YAML or JSON), naming the line of each error."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MAX_SLUG_CHARS = 64
MAX_NAME_CHARS = 100
MAX_PHRASE_CHARS = 200
TOP_KEYS = {"categories", "tags"}
CATEGORY_KEYS = {"slug", "name", "tags"}
TAG_KEYS = {"slug", "name", "description", "phrases", "active"}


class TaxonomyError(ValueError):
    """The file is not a valid taxonomy; the message names the file, line and tag."""


@dataclass(frozen=True)
class CategorySpec:
    slug: str
    name: str


@dataclass(frozen=True)
class TagSpec:
    slug: str
    name: str
    phrases: tuple[str, ...]
    category: str | None = None
    description: str = ""
    # None: the file does not say (a new tag is active; an existing one keeps its state, so a
    # re-load does not undo the operator's deactivations in the admin).
    is_active: bool | None = None
    line: int | None = None


@dataclass
class Taxonomy:
    categories: list[CategorySpec] = field(default_factory=list)
    tags: list[TagSpec] = field(default_factory=list)


def taxonomy_read(path: Path) -> Taxonomy:
    """Read a .yaml/.yml/.json file; raises TaxonomyError (or OSError for an unreadable path)."""
    path = Path(path)
    if not path.is_file():
        raise TaxonomyError(f"{path}: no such file")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise TaxonomyError(f"{path}: not UTF-8 text ({exc.reason})") from exc
    return taxonomy_parse(text, source=str(path), is_json=path.suffix.lower() == ".json")


SURROGATE_ESCAPE = re.compile(r"\\u[dD][89abAB][0-9a-fA-F]{2}")
# Characters no name, phrase or description holds (tabs and line breaks do: YAML folds them).
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def taxonomy_parse(text: str, *, source: str = "<taxonomy>", is_json: bool = False) -> Taxonomy:
    try:
        return _taxonomy_parse(text, source=source, is_json=is_json)
    except RecursionError:
        # Tens of thousands of nested brackets ran the JSON and YAML readers out of stack:
        # a traceback, not the one line saying what is wrong with the file.
        raise TaxonomyError(f"{source}: nested too deeply to be a taxonomy") from None


def _taxonomy_parse(text: str, *, source: str, is_json: bool) -> Taxonomy:
    if is_json:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise TaxonomyError(
                f"{source} line {exc.lineno} column {exc.colno}: invalid JSON: {exc.msg}"
            ) from exc
        if "\t" in text or SURROGATE_ESCAPE.search(text):
            # JSON that YAML reads otherwise: tab indentation (refused by YAML) and emoji
            # written as escaped surrogate pairs (json.dump's default; YAML decodes each half
            # alone, and the lone halves failed the database write). Read as re-written by
            # json; line numbers in errors are then of that text.
            text = json.dumps(data, ensure_ascii=False, indent=2)
            source = f"{source} (re-indented)"
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1} column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise TaxonomyError(f"{source}{where}: invalid YAML: {problem}") from exc
    return _Parser(source).parse(root)


class _Parser:
    def __init__(self, source: str) -> None:
        self.source = source
        self.taxonomy = Taxonomy()
        self.tag_lines: dict[str, int] = {}
        self.phrase_owner: dict[str, tuple[str, int]] = {}
        self.category_slugs: set[str] = set()

    def error(self, node: yaml.Node | None, message: str) -> TaxonomyError:
        line = f" line {node.start_mark.line + 1}" if node is not None else ""
        return TaxonomyError(f"{self.source}{line}: {message}")

    def parse(self, root: yaml.Node | None) -> Taxonomy:
        if root is None:
            raise self.error(None, "the file is empty")
        top = self.mapping(root, "the top level", TOP_KEYS)
        if not top:
            raise self.error(root, "expected 'categories' and/or 'tags'")
        for node in self.sequence(top.get("categories"), "categories"):
            self.category(node)
        for node in self.sequence(top.get("tags"), "tags"):
            self.tag(node, category=None)
        if not self.taxonomy.tags:
            raise self.error(root, "the taxonomy defines no tags")
        return self.taxonomy

    def mapping(self, node: yaml.Node, what: str, allowed: set[str]) -> dict[str, yaml.Node]:
        if not isinstance(node, yaml.MappingNode):
            raise self.error(node, f"{what} must be a mapping")
        items: dict[str, yaml.Node] = {}
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = self.scalar(key_node, f"a key of {what}")
            if key not in allowed:
                raise self.error(
                    key_node,
                    f"unknown field {key!r} in {what} (allowed: {', '.join(sorted(allowed))})",
                )
            if key in seen:
                raise self.error(key_node, f"field {key!r} repeated in {what}")
            seen.add(key)
            if not _null(value_node):  # `name: null` (JSON's null, YAML's ~): not given
                items[key] = value_node
        return items

    def sequence(self, node: yaml.Node | None, what: str) -> list[yaml.Node]:
        if node is None:
            return []
        if not isinstance(node, yaml.SequenceNode):
            raise self.error(node, f"{what} must be a list")
        return list(node.value)

    def scalar(self, node: yaml.Node, what: str) -> str:
        if not isinstance(node, yaml.ScalarNode) or _null(node):
            raise self.error(node, f"{what} must be text")
        value = str(node.value)
        if CONTROL_CHARACTERS.search(value):
            # A NUL failed the database write with a traceback, not this one line.
            raise self.error(node, f"{what} holds a control character")
        return value.strip()

    def slug(self, node: yaml.Node | None, what: str, parent: yaml.Node) -> str:
        if node is None:
            raise self.error(parent, f"{what} has no slug")
        slug = self.scalar(node, f"the slug of {what}")
        if len(slug) > MAX_SLUG_CHARS or not SLUG_RE.match(slug):
            raise self.error(
                node,
                f"{what} slug {slug!r} must be lower-case letters/digits joined by single hyphens "
                f"(at most {MAX_SLUG_CHARS} characters)",
            )
        return slug

    def name(self, node: yaml.Node | None, what: str, default: str) -> str:
        if node is None:
            return default
        name = self.scalar(node, f"the name of {what}")
        if not name or len(name) > MAX_NAME_CHARS:
            raise self.error(node, f"the name of {what} must be 1..{MAX_NAME_CHARS} characters")
        return name

    def category(self, node: yaml.Node) -> None:
        fields = self.mapping(node, "a category", CATEGORY_KEYS)
        slug = self.slug(fields.get("slug"), "a category", node)
        if slug in self.category_slugs:
            raise self.error(fields["slug"], f"duplicate category slug {slug!r}")
        self.category_slugs.add(slug)
        name = self.name(fields.get("name"), f"category {slug!r}", slug.replace("-", " ").title())
        self.taxonomy.categories.append(CategorySpec(slug=slug, name=name))
        tags = self.sequence(fields.get("tags"), f"the tags of category {slug!r}")
        for tag_node in tags:
            self.tag(tag_node, category=slug)

    def tag(self, node: yaml.Node, *, category: str | None) -> None:
        fields = self.mapping(node, "a tag", TAG_KEYS)
        slug = self.slug(fields.get("slug"), "a tag", node)
        line = node.start_mark.line + 1
        what = f"tag {slug!r}"
        if slug in self.tag_lines:
            raise self.error(
                fields["slug"],
                f"duplicate tag slug {slug!r} (first defined on line {self.tag_lines[slug]})",
            )
        self.tag_lines[slug] = line
        name = self.name(fields.get("name"), what, slug.replace("-", " ").title())
        description = ""
        if "description" in fields:
            description = self.scalar(fields["description"], f"the description of {what}")
        is_active = None
        if "active" in fields:
            raw = fields["active"]
            if not isinstance(raw, yaml.ScalarNode) or raw.tag != "tag:yaml.org,2002:bool":
                raise self.error(raw, f"'active' of {what} must be true or false")
            is_active = yaml.SafeLoader("").construct_yaml_bool(raw)
        phrases = self.phrases(fields.get("phrases"), slug, node)
        self.taxonomy.tags.append(
            TagSpec(
                slug=slug,
                name=name,
                phrases=tuple(phrases),
                category=category,
                description=description,
                is_active=is_active,
                line=line,
            )
        )

    def phrases(self, node: yaml.Node | None, slug: str, tag_node: yaml.Node) -> list[str]:
        what = f"tag {slug!r}"
        if node is None:
            raise self.error(tag_node, f"{what} has no phrases")
        items = self.sequence(node, f"the phrases of {what}")
        if not items:
            raise self.error(node, f"{what} has an empty phrase list")
        phrases: list[str] = []
        for item in items:
            phrase = " ".join(self.scalar(item, f"a phrase of {what}").split())
            line = item.start_mark.line + 1
            if not phrase or len(phrase) > MAX_PHRASE_CHARS:
                raise self.error(item, f"a phrase of {what} must be 1..{MAX_PHRASE_CHARS} chars")
            key = phrase.casefold()
            if key in self.phrase_owner:
                owner, first_line = self.phrase_owner[key]
                where = "this tag" if owner == slug else f"tag {owner!r}"
                raise self.error(
                    item,
                    f"duplicate phrase {phrase!r} in {what} (already used by {where} on line "
                    f"{first_line})",
                )
            self.phrase_owner[key] = (slug, line)
            phrases.append(phrase)
        return phrases


def _null(node: yaml.Node) -> bool:
    """An unquoted null, ~ or nothing (quoted "null" is text)."""
    return isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:null"
