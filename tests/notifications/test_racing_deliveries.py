"""The same news delivered twice at once (a redelivered task, a mention delivered by two
workers) tells the recipient once: the second delivery, which passed the "already told" check
before the first committed, finds the news there and reports nothing told (so a mention's
hourly budget is not charged for it and the group does not move to the top again)."""

from __future__ import annotations

import threading

import pytest
from django.db import transaction

from notifications.models import Notification, NotificationActor, NotificationKind
from notifications.services import Notice, notification_add
from tests.factories import UserFactory
from tests.support.concurrency import thread_start, until_another_waits

pytestmark = pytest.mark.django_db(transaction=True)


def _race(notice: Notice) -> list[Notification | None]:
    """Deliver `notice` in one transaction held open, then again from another connection (it
    waits on the first's unread group), then let the first commit. The second's answer."""
    errors: dict[str, BaseException] = {}
    first_added, release = threading.Event(), threading.Event()
    second: list[Notification | None] = []

    def deliver_and_hold() -> None:
        with transaction.atomic():
            assert notification_add(notice) is not None
            first_added.set()
            assert release.wait(timeout=30)

    first = thread_start(errors, "first", deliver_and_hold)
    assert first_added.wait(timeout=30), errors
    other = thread_start(errors, "second", lambda: second.append(notification_add(notice)))
    until_another_waits()
    release.set()
    first.join(timeout=30)
    other.join(timeout=30)
    assert errors == {}
    return second


def test_a_mention_delivered_twice_at_once_is_told_once():
    author, mentioned = UserFactory(), UserFactory()
    notice = Notice(
        recipient_id=mentioned.pk,
        kind=NotificationKind.MENTION,
        group_key="mention:video:1",
        actor_id=author.pk,
        data={"in": "caption"},
    )

    assert _race(notice) == [None]

    [group] = Notification.objects.filter(recipient=mentioned)
    assert group.actor_count == 1
    assert NotificationActor.objects.filter(notification=group).count() == 1


def test_a_system_notice_delivered_twice_at_once_is_told_once():
    owner = UserFactory()
    notice = Notice(recipient_id=owner.pk, kind=NotificationKind.VIDEO_READY, group_key="ready:1")

    assert _race(notice) == [None]

    assert Notification.objects.filter(recipient=owner).count() == 1


def test_a_comment_delivered_while_another_is_told_joins_the_group():
    """Not `once`: each comment is news, raced or not."""
    owner, fan = UserFactory(), UserFactory()
    notice = Notice(
        recipient_id=owner.pk,
        kind=NotificationKind.COMMENT,
        group_key="comment:video:1",
        actor_id=fan.pk,
        once=False,
    )

    [joined] = _race(notice)

    assert joined is not None
    assert Notification.objects.filter(recipient=owner).count() == 1
