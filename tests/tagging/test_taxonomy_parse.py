"""Taxonomy files: valid YAML/JSON parse; bad input fails with the line and tag named."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tagging.taxonomy import TaxonomyError, taxonomy_parse, taxonomy_read

VALID = """\
categories:
  - slug: animals
    name: Animals
    tags:
      - slug: cats
        name: Cats
        phrases: [cat, kitten]
      - slug: dogs
        phrases: [dog, puppy]
        active: false
tags:
  - slug: misc
    description: anything else
    phrases: [misc]
"""


def test_a_valid_yaml_taxonomy_gives_categories_tags_and_phrases() -> None:
    taxonomy = taxonomy_parse(VALID)
    assert [c.slug for c in taxonomy.categories] == ["animals"]
    by_slug = {tag.slug: tag for tag in taxonomy.tags}
    assert by_slug["cats"].phrases == ("cat", "kitten")
    assert by_slug["cats"].category == "animals"
    assert by_slug["dogs"].is_active is False
    assert by_slug["dogs"].name == "Dogs"
    assert by_slug["misc"].category is None


def test_a_json_taxonomy_reads_like_yaml(tmp_path: Path) -> None:
    path = tmp_path / "tags.json"
    path.write_text(
        json.dumps({"tags": [{"slug": "cats", "phrases": ["cat"], "active": True}]}, indent=2)
    )
    assert [tag.slug for tag in taxonomy_read(path).tags] == ["cats"]


def test_duplicate_tag_slug_names_the_slug_and_both_lines() -> None:
    text = VALID.replace("slug: dogs", "slug: cats")
    with pytest.raises(TaxonomyError, match=r"line 8: duplicate tag slug 'cats'.*line 5"):
        taxonomy_parse(text)


def test_a_phrase_used_by_two_tags_names_both_tags() -> None:
    text = VALID.replace("[dog, puppy]", "[dog, Kitten]")
    message = r"line 9: duplicate phrase 'Kitten' in tag 'dogs'.*'cats'"
    with pytest.raises(TaxonomyError, match=message):
        taxonomy_parse(text)


def test_a_phrase_repeated_in_one_tag_is_refused() -> None:
    with pytest.raises(TaxonomyError, match=r"duplicate phrase 'cat' in tag 'cats'"):
        taxonomy_parse(VALID.replace("[cat, kitten]", "[cat, cat]"))


def test_an_empty_phrase_list_names_the_tag() -> None:
    with pytest.raises(TaxonomyError, match=r"line 7: tag 'cats' has an empty phrase list"):
        taxonomy_parse(VALID.replace("[cat, kitten]", "[]"))


def test_an_unknown_field_names_the_field_and_line() -> None:
    text = VALID.replace("        name: Cats\n", "        colour: orange\n")
    with pytest.raises(TaxonomyError, match=r"line 6: unknown field 'colour' in a tag"):
        taxonomy_parse(text)


def test_invalid_yaml_names_the_line() -> None:
    with pytest.raises(TaxonomyError, match=r"line \d+ column \d+: invalid YAML"):
        taxonomy_parse("tags:\n  - slug: cats\n    phrases: [cat\n  - slug: dogs\n")


def test_invalid_json_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "tags.json"
    path.write_text('{\n  "tags": [\n    {"slug": "cats",}\n  ]\n}\n')
    with pytest.raises(TaxonomyError, match=r"tags.json line 3 column \d+: invalid JSON"):
        taxonomy_read(path)


def test_a_bad_slug_is_refused() -> None:
    with pytest.raises(TaxonomyError, match=r"slug 'Cute Cats' must be lower-case"):
        taxonomy_parse(VALID.replace("slug: cats", "slug: Cute Cats"))


def test_the_shipped_default_taxonomy_is_large_and_valid() -> None:
    path = Path(__file__).resolve().parents[2] / "tagging/fixtures/default_taxonomy.yaml"
    taxonomy = taxonomy_read(path)
    assert len(taxonomy.tags) >= 80
    assert len(taxonomy.categories) >= 12
    assert min(len(tag.phrases) for tag in taxonomy.tags) >= 3


def test_a_json_taxonomy_with_tabs_and_escaped_emoji_reads_as_json(tmp_path: Path) -> None:
    """json.dump writes emoji as escaped surrogate pairs by default, and people indent with
    tabs: read as YAML, the pairs came apart (the database write failed) and tabs were refused."""
    data = {"tags": [{"slug": "cats", "name": "Cats \U0001f63a", "phrases": ["cat", "kitten"]}]}
    path = tmp_path / "taxonomy.json"
    path.write_text(json.dumps(data, indent="\t"), encoding="utf-8")
    assert "\\ud83d" in path.read_text()
    taxonomy = taxonomy_read(path)
    (tag,) = taxonomy.tags
    assert tag.name == "Cats \U0001f63a"
    assert tag.name.encode("utf-8")
