"""Hashtags in captions and the key they match tags on."""

from __future__ import annotations

from tagging.hashtags import caption_hashtags, hashtag_key


def test_hashtags_are_found_in_order_once_each() -> None:
    caption = "Morning! #Cats #cute_cat and more #cats, email me@x.com #street-food"
    assert caption_hashtags(caption) == ["Cats", "cute_cat", "cats", "street-food"]


def test_a_hash_inside_a_word_is_not_a_hashtag() -> None:
    assert caption_hashtags("C#minor and ##double") == []


def test_key_ignores_case_spaces_and_separators() -> None:
    assert hashtag_key("CuteCat") == hashtag_key("cute cat") == hashtag_key("cute-cat")


def test_creator_hashtags_are_read_as_the_stored_hashtags_are():
    # Full-width letters are the ASCII ones; a link's #fragment is not a hashtag.
    assert caption_hashtags("うちの子 #ＣＡＴＳ https://example.com/#dogs #street-food") == [
        "CATS",
        "street-food",
    ]
