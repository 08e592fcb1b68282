"""@mention parsing (pure)."""

from __future__ import annotations

from notifications.mentions import mention_spans, mentioned_usernames


def test_mentions_are_found_in_order_once_each():
    assert mentioned_usernames("hi @ana and @Bob, also @ana again") == ["ana", "Bob"]


def test_trailing_punctuation_is_not_part_of_the_name():
    assert mentioned_usernames("thanks @ana. and @bob-!") == ["ana", "bob"]


def test_email_addresses_are_not_mentions():
    assert mentioned_usernames("write to ana@example.com or @@x") == []


def test_unicode_letters_and_username_characters():
    assert mentioned_usernames("@zoë_1 @a.b+c") == ["zoë_1", "a.b+c"]


def test_at_most_the_limit_are_returned():
    text = " ".join(f"@user{i}" for i in range(50))
    assert mentioned_usernames(text, limit=10) == [f"user{i}" for i in range(10)]


def test_spans_cover_the_at_sign_and_the_name():
    text = "hey @ana."
    assert mention_spans(text) == [(4, 8, "ana")]
    assert text[4:8] == "@ana"


def test_a_mention_ends_where_the_username_characters_do():
    # Japanese, Korean and Chinese write the honorific or the next word straight after it.
    assert mentioned_usernames("@mariaさん ありがとう @bob님 @li你好") == ["maria", "bob", "li"]
