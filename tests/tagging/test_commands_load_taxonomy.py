"""manage.py load_taxonomy: the default taxonomy, operator files, all-or-nothing errors."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from tagging.models import Tag, TagCategory, TagPhrase
from tests.factories import TagFactory

pytestmark = pytest.mark.django_db

TWO_TAGS = """\
categories:
  - slug: animals
    tags:
      - slug: cats
        phrases: [cat, kitten]
      - slug: dogs
        phrases: [dog, puppy]
"""


def load(*args: str) -> str:
    out = StringIO()
    call_command("load_taxonomy", *args, stdout=out)
    return out.getvalue()


def write(tmp_path: Path, text: str, name: str = "tags.yaml") -> str:
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def test_default_loads_at_least_80_tags_in_12_categories_without_an_embedder() -> None:
    load("--default")
    assert Tag.objects.filter(is_active=True).count() >= 80
    assert TagCategory.objects.count() >= 12
    assert TagPhrase.objects.filter(tag__slug="cats").count() >= 3


def test_if_empty_does_nothing_when_a_tag_exists() -> None:
    TagFactory(slug="mine")
    assert "nothing loaded" in load("--default", "--if-empty")
    assert list(Tag.objects.values_list("slug", flat=True)) == ["mine"]


def test_a_file_creates_tags_and_a_reload_replaces_their_phrases(tmp_path: Path) -> None:
    load(write(tmp_path, TWO_TAGS))
    load(write(tmp_path, TWO_TAGS.replace("[cat, kitten]", "[cat, cute cat]")))
    phrases = set(TagPhrase.objects.filter(tag__slug="cats").values_list("text", flat=True))
    assert phrases == {"cat", "cute cat"}
    assert Tag.objects.get(slug="cats").category.slug == "animals"


def test_deactivate_missing_deactivates_tags_absent_from_the_file(tmp_path: Path) -> None:
    TagFactory(slug="old-tag")
    load(write(tmp_path, TWO_TAGS), "--deactivate-missing")
    assert Tag.objects.get(slug="old-tag").is_active is False
    assert Tag.objects.get(slug="cats").is_active is True


def test_a_reload_keeps_what_the_operator_deactivated_unless_the_file_says(
    tmp_path: Path,
) -> None:
    load(write(tmp_path, TWO_TAGS))
    Tag.objects.filter(slug="cats").update(is_active=False)  # in the admin
    load(write(tmp_path, TWO_TAGS))
    assert Tag.objects.get(slug="cats").is_active is False
    assert Tag.objects.get(slug="dogs").is_active is True
    with_flag = TWO_TAGS.replace("- slug: cats\n", "- slug: cats\n        active: true\n")
    assert with_flag != TWO_TAGS
    load(write(tmp_path, with_flag))
    assert Tag.objects.get(slug="cats").is_active is True


def test_a_bad_file_fails_with_one_line_and_loads_nothing(tmp_path: Path) -> None:
    bad = TWO_TAGS + "      - slug: birds\n        phrases: []\n"
    with pytest.raises(CommandError) as error:
        load(write(tmp_path, bad))
    message = str(error.value)
    assert "\n" not in message
    assert "tag 'birds' has an empty phrase list" in message and "line 9" in message
    assert not Tag.objects.exists()


def test_a_missing_file_fails_clearly(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="no such file"):
        load(str(tmp_path / "absent.yaml"))


def test_path_and_default_are_exclusive(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="either a taxonomy PATH or --default"):
        load(write(tmp_path, TWO_TAGS), "--default")


def test_a_null_in_a_json_or_yaml_file_is_a_field_not_given(tmp_path: Path) -> None:
    load(
        write(
            tmp_path,
            '{"tags": [{"slug": "dogs", "name": null, "description": null, "phrases": ["dog"]}]}',
            "tags.json",
        )
    )
    load(write(tmp_path, "tags:\n  - slug: cats\n    name: ~\n    phrases: [cat]\n"))
    assert Tag.objects.get(slug="dogs").name == "Dogs"
    assert Tag.objects.get(slug="dogs").description == ""
    assert Tag.objects.get(slug="cats").name == "Cats"
    with pytest.raises(CommandError, match="must be text"):
        load(write(tmp_path, "tags:\n  - slug: owls\n    phrases: [owl, null]\n"))
    with pytest.raises(CommandError, match="has no slug"):
        load(write(tmp_path, '{"tags": [{"slug": null, "phrases": ["x"]}]}', "t.json"))
    assert not Tag.objects.filter(slug="owls").exists()
    # Quoted, it is text.
    load(write(tmp_path, 'tags:\n  - slug: nulls\n    name: "null"\n    phrases: [nil]\n'))
    assert Tag.objects.get(slug="nulls").name == "null"


def test_a_file_that_cannot_be_read_is_one_line() -> None:
    with pytest.raises(CommandError, match=r"^/proc/self/mem: cannot read it: "):
        load("/proc/self/mem")


def test_a_file_name_that_is_not_utf8_loads_and_is_printed_readably(tmp_path: Path) -> None:
    import io
    import os

    path = tmp_path / os.fsdecode(b"tax\xe9.yaml")
    path.write_text(TWO_TAGS)
    out = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")  # a strict UTF-8 terminal
    call_command("load_taxonomy", str(path), stdout=out)
    out.flush()
    assert "loaded taxé.yaml: 1 categories, 2 tags created" in out.buffer.getvalue().decode()


def test_a_phrase_another_stored_tag_has_is_refused_naming_both(tmp_path: Path) -> None:
    # The file's duplicates were checked within the file only: "Kitten" given to kittens while
    # the stored cats had "kitten" made #kitten name whichever tag sorted first.
    load(write(tmp_path, "tags:\n  - slug: cats\n    phrases: [cat, kitten]\n", "a.yaml"))
    kittens = write(tmp_path, "tags:\n  - slug: kittens\n    phrases: [Kitten, baby cat]\n")

    with pytest.raises(CommandError) as error:
        load(kittens)

    assert "'kitten' of tag 'kittens' is already a phrase of tag 'cats'" in str(error.value)
    assert not Tag.objects.filter(slug="kittens").exists()
    assert sorted(TagPhrase.objects.values_list("text", flat=True)) == ["cat", "kitten"]


def test_a_phrase_moved_between_tags_listed_in_one_file_is_taken(tmp_path: Path) -> None:
    load(write(tmp_path, "tags:\n  - slug: cats\n    phrases: [cat, kitten]\n", "a.yaml"))
    both = "tags:\n  - slug: cats\n    phrases: [cat]\n  - slug: kittens\n    phrases: [kitten]\n"

    load(write(tmp_path, both))

    assert TagPhrase.objects.get(text="kitten").tag.slug == "kittens"


def test_a_control_character_in_a_file_is_one_line_and_loads_nothing(tmp_path: Path) -> None:
    path = write(tmp_path, 'tags:\n  - slug: cats\n    phrases: ["cat\\0"]\n')

    with pytest.raises(CommandError) as error:
        load(path)

    assert "holds a control character" in str(error.value)
    assert "\n" not in str(error.value)
    assert not Tag.objects.exists()


@pytest.mark.parametrize("name", ["deep.yaml", "deep.json"])
def test_a_file_nested_too_deeply_is_one_line(tmp_path: Path, name: str) -> None:
    path = write(tmp_path, '{"tags": ' + "[" * 50_000 + "]" * 50_000 + "}", name)

    with pytest.raises(CommandError, match="nested too deeply") as error:
        load(path)

    assert "\n" not in str(error.value)
