"""What a typed query becomes (pure)."""

import pytest

from search.query_text import (
    cjk_query,
    like_prefix,
    query_loggable,
    query_normalise,
    query_searchable,
    query_split_negations,
    query_words,
)


def test_normalise_collapses_whitespace_and_drops_control_characters():
    assert query_normalise("  cat\x00\t\n  videos ") == "cat videos"
    assert query_normalise("ｃａｔ") == "cat"  # NFKC folds full-width letters


def test_punctuation_alone_is_not_searchable_but_emoji_and_words_are():
    assert not query_searchable("!?.,;:'\"()*&|<->")
    assert query_searchable("🐱")
    assert query_searchable("chat!")


def test_words_drop_punctuation_and_fold_case():
    assert query_words("'; DROP table--") == "drop table"
    assert query_words("Dance_Off!") == "dance_off"


def test_like_prefix_escapes_wildcards():
    assert like_prefix("50%_a\\") == "50\\%\\_a\\\\%"


def test_private_looking_and_overlong_queries_are_not_logged():
    assert query_loggable("cat videos", 64)
    for query in ("me@mail.example.com", "https://x.test/a", "call 0612345678", "a", "x" * 65):
        assert not query_loggable(query, 64)


@pytest.mark.parametrize(
    "query", ["555 123 4567", "call 555-123-4567", "+44 20 7946 0958", "(555) 123.4567"]
)
def test_phone_numbers_written_with_separators_are_not_logged(query: str):
    assert not query_loggable(query, 64)


def test_numbers_of_ordinary_queries_are_logged():
    assert query_loggable("top 10 songs of 2024", 64)
    assert query_loggable("iphone 15 pro review", 64)


def test_exclusions_are_split_from_the_query():
    assert query_split_negations("fox -grey hunting -Snow!") == ("fox hunting", ["grey", "snow"])
    assert query_split_negations("well-known - x") == ("well-known - x", [])


def test_words_keep_the_vowel_signs_of_their_scripts():
    assert query_words("#हिन्दी गाना") == "हिन्दी गाना"
    assert query_words("ที่เที่ยว!") == "ที่เที่ยว"


@pytest.mark.parametrize(
    ("query", "paired"),
    [
        ("cats", None),
        ("猫の動画", '"猫の の動 動画"'),
        ("猫 cute", '"猫" cute'),
        ("视频 -熊猫", '"视频" -"熊猫"'),
        ('"可爱的猫咪" video', '"可爱 爱的 的猫 猫咪" video'),
        ("iPhone用", 'iPhone"用"'),
    ],
)
def test_cjk_runs_become_the_phrase_of_their_pairs(query: str, paired: str | None):
    assert cjk_query(query) == paired
