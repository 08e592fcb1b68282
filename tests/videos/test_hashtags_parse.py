"""videos.hashtags: which #words of a caption are hashtags, and the names they are stored as."""

from __future__ import annotations

import unicodedata

import pytest

from videos.hashtags import HASHTAG_MAX_LENGTH, hashtag_name_normalize, hashtags_parse


def parse(caption: str, limit: int = 30) -> list[str]:
    return hashtags_parse(caption, limit=limit)


def test_unicode_letters_are_hashtags_case_folded():
    assert parse("#Café #東京 #Straße #ЖИЗНЬ") == ["café", "東京", "strasse", "жизнь"]


def test_casefold_makes_sharp_s_and_ss_one_hashtag():
    assert parse("#STRASSE #Straße #strasse") == ["strasse"]


def test_decomposed_and_composed_accents_are_one_hashtag():
    decomposed = unicodedata.normalize("NFD", "#Café")
    assert len(decomposed) == 6  # e + combining acute

    assert parse(f"{decomposed} #café") == ["café"]


def test_combining_marks_inside_a_word_belong_to_the_tag():
    assert parse("#हिन्दी rocks") == ["हिन्दी"]


def test_full_width_hash_and_letters_are_normalised():
    assert parse("＃ＴｏｋｙｏＤｒｉｆｔ") == ["tokyodrift"]


@pytest.mark.parametrize(
    ("caption", "expected"),
    [
        ("#cats, #dogs! #birds.", ["cats", "dogs", "birds"]),
        ("#street-food", ["street"]),
        ("(#inside)", ["inside"]),
        ("#snake_case_tag", ["snake_case_tag"]),
    ],
)
def test_punctuation_ends_a_hashtag(caption, expected):
    assert parse(caption) == expected


@pytest.mark.parametrize(
    "caption",
    [
        "https://example.org/page#section",
        "see http://x.y/#/route and www.example.org/#anchor",
        "a#b",
        "C#",
        "issue&#39;s",
        "##double",
        "# spaced",
    ],
)
def test_not_hashtags(caption):
    assert parse(caption) == []


def test_a_url_fragment_is_skipped_but_a_tag_after_it_counts():
    assert parse("https://example.org/a#frag #real") == ["real"]


def test_all_digit_tags_are_not_hashtags_but_digits_with_letters_are():
    assert parse("#1 #2024 #2024olympics #_") == ["2024olympics"]


def test_a_too_long_tag_is_ignored_not_truncated():
    exact = "a" * HASHTAG_MAX_LENGTH
    assert parse(f"#{'b' * (HASHTAG_MAX_LENGTH + 1)} #{exact}") == [exact]


def test_duplicates_keep_the_first_occurrence_order():
    assert parse("#b #a #B #c #a") == ["b", "a", "c"]


def test_a_caption_with_500_hashtags_keeps_the_limit():
    caption = " ".join(f"#tag{i}" for i in range(500))

    names = parse(caption, limit=30)

    assert names == [f"tag{i}" for i in range(30)]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Straße", "strasse"),
        ("#東京", "東京"),
        ("ЖИЗНЬ", "жизнь"),
        ("two words", None),
        ("1234", None),
        ("", None),
        ("x" * (HASHTAG_MAX_LENGTH + 1), None),
        ("a/b", None),
    ],
)
def test_name_normalize(raw, expected):
    assert hashtag_name_normalize(raw) == expected


def test_a_caption_of_long_letter_runs_is_parsed_to_its_end():
    # NFKC spells U+3389 as "kcal": 400,000 letters in a row. The URL blanking used to try a
    # scheme from each of them (quadratic: past the suite's timeout here).
    caption = "\u3389" * 100_000 + " #found https://x.test/#not www.y.test/#nor"
    assert hashtags_parse(caption, limit=5) == ["found"]


def test_the_turkish_dotted_capital_i_is_the_same_tag_as_i():
    assert parse("#İstanbul #istanbul #ISTANBUL") == ["istanbul"]
    assert hashtag_name_normalize("İzmir") == hashtag_name_normalize("izmir") == "izmir"


def test_a_zero_width_non_joiner_inside_a_word_is_part_of_the_tag():
    # Persian: ایران‌گردی ("touring Iran") is not ایران ("Iran"); a joiner at the end is not.
    assert parse("#ایران\u200cگردی #کتاب\u200cها #dogs\u200c ok") == [
        "ایران\u200cگردی",
        "کتاب\u200cها",
        "dogs",
    ]
    assert hashtag_name_normalize("\u200cdogs") is None


def test_hashtags_written_together_are_each_a_hashtag():
    # TikTok captions often run them together; a # after a letter alone still starts none.
    assert parse("#fyp#foryou#viral and #dogs #cats#dogs") == [
        "fyp",
        "foryou",
        "viral",
        "dogs",
        "cats",
    ]
    assert parse("C#, a#b, x#a#b, ##x, &#39;") == []
