"""Hashtags in captions and the key they match tags on."""

from __future__ import annotations

import pytest

from tagging.hashtags import caption_hashtags, hashtag_key
from tests.factories import TagFactory, TagPhraseFactory


def test_hashtags_are_found_in_order_once_each() -> None:
    caption = "Morning! #Cats #cute_cat and more #cats, email me@x.com #street-food"
    assert caption_hashtags(caption) == ["cats", "cute_cat", "street-food"]


def test_a_hash_inside_a_word_is_not_a_hashtag() -> None:
    assert caption_hashtags("C#minor and ##double &#39; a/#/route") == []


def test_key_ignores_case_spaces_and_separators() -> None:
    assert hashtag_key("CuteCat") == hashtag_key("cute cat") == hashtag_key("cute-cat")


def test_creator_hashtags_are_read_as_the_stored_hashtags_are():
    # Full-width letters are the ASCII ones; a link's #fragment is not a hashtag.
    assert caption_hashtags("うちの子 #ＣＡＴＳ https://example.com/#dogs #street-food") == [
        "cats",
        "street-food",
    ]


def test_hashtags_run_together_are_each_read() -> None:
    # The tagging reader stopped at the second '#': #cats named no tag.
    assert caption_hashtags("#funny#cats #street-food#yum") == [
        "funny",
        "cats",
        "street-food",
        "yum",
    ]


def test_a_hashtag_in_an_indic_script_is_read_whole() -> None:
    # The vowel signs are marks: the tagging reader cut #हिन्दी at its first one (#ह).
    assert caption_hashtags("गाना #हिन्दी #தமிழ்") == ["हिन्दी", "தமிழ்"]


def test_an_all_digit_or_hyphen_only_hashtag_names_nothing() -> None:
    assert caption_hashtags("#2024 #- #-cats #cats- #a--b") == ["cats", "a"]


def test_key_keeps_marks_and_folds_as_hashtags_are() -> None:
    # Dropping the vowel signs made different words one key (किताब, a book, and कताब).
    assert hashtag_key("किताब") != hashtag_key("कताब")
    # A decomposed accent is the composed one; the Turkish capital I with a dot is i.
    assert hashtag_key("Cafe\u0301") == hashtag_key("café")
    assert hashtag_key("İstanbul") == hashtag_key("istanbul")


@pytest.mark.django_db
def test_captions_name_tags_in_other_scripts_and_run_together() -> None:
    from tagging.services.assign import hashtag_tag_ids

    music = TagFactory(slug="music", name="Music")
    TagPhraseFactory(tag=music, text="हिन्दी गाना")
    food = TagFactory(slug="street-food", name="Street food")
    travel = TagFactory(slug="travel", name="Travel")
    TagPhraseFactory(tag=travel, text="İstanbul")
    assert hashtag_tag_ids(["#funny#streetfood", "#हिन्दीगाना", "#istanbul", "#हन्दगान"]) == [
        [food.pk],
        [music.pk],
        [travel.pk],
        [],
    ]
