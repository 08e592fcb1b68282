"""Allowances over a sliding window (`tiktok.allowances`), and the mailbox an address delivers
to (`profiles.services.mail.mailbox_key`)."""

from __future__ import annotations

import pytest

from profiles.services.mail import mail_address_allowance_take, mailbox_key
from tiktok.allowances import allowance_refund, allowance_take


def test_the_window_slides_rather_than_restarting_on_the_clock_hour() -> None:
    hour = 3600 * 1000
    late = [allowance_take("t", limit=3, window_s=3600, now=hour - 5).allowed for _ in range(3)]
    early = [allowance_take("t", limit=3, window_s=3600, now=hour + 5).allowed for _ in range(3)]
    assert late == [True] * 3
    assert early == [False] * 3  # 10 seconds later, still within the hour of the first three
    # Two windows later nothing of them is left.
    assert allowance_take("t", limit=3, window_s=3600, now=hour + 7200 + 5).allowed


def test_the_previous_window_weighs_as_much_of_it_as_is_still_within_the_last_hour() -> None:
    start = 3600 * 2000
    for _ in range(4):
        allowance_take("w", limit=4, window_s=3600, now=start + 10)
    # Three quarters into the next window a quarter of the previous one is still in the hour:
    # 4 * 0.25 = 1 counted, so 3 more are allowed, not 4.
    later = start + 3600 + 2700
    assert [allowance_take("w", limit=4, window_s=3600, now=later).allowed for _ in range(4)] == [
        True,
        True,
        True,
        False,
    ]


def test_a_refunded_use_is_given_back() -> None:
    now = 3600 * 3000.0
    first = allowance_take("r", limit=1, window_s=3600, now=now)
    assert first.allowed
    allowance_refund(first)
    assert allowance_take("r", limit=1, window_s=3600, now=now).allowed


@pytest.mark.parametrize(
    ("address", "mailbox"),
    [
        ("victim@gmail.com", "victim@gmail.com"),
        ("Vic.Tim+promo@GMail.com", "victim@gmail.com"),
        ("victim@googlemail.com", "victim@gmail.com"),
        ("first.last+tag@example.org", "first.last@example.org"),  # dots matter elsewhere
        ("+only@example.org", "+only@example.org"),
        ("not-an-address", "not-an-address"),
    ],
)
def test_the_mailbox_an_address_delivers_to(address: str, mailbox: str) -> None:
    assert mailbox_key(address) == mailbox


def test_one_inbox_has_one_mail_allowance(settings) -> None:  # noqa: ANN001
    settings.ACCOUNT_MAILS_PER_ADDRESS_PER_HOUR = 2
    now = 3600 * 4000.0
    ways = ["victim+1@gmail.com", "v.ictim@gmail.com", "VICTIM@googlemail.com"]
    assert [mail_address_allowance_take(email=w, now=now) for w in ways] == [True, True, False]
    assert mail_address_allowance_take(email="other@gmail.com", now=now)
