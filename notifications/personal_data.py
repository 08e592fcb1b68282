"""What the notifications app stores about a person, for their data archive: the notifications
they have (read ones are kept NOTIFICATIONS_KEEP_READ_DAYS) and the kinds they turned off."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from notifications.models import Notification, NotificationActor
from notifications.selectors import muted_kinds, notification_text
from tiktok.personal_data import Section, moment

CHUNK = 500


def _notifications(user: Any) -> Iterator[dict[str, Any]]:
    rows = Notification.objects.filter(recipient=user).order_by("created_at", "pk")
    last = 0
    while True:
        page = list(rows.filter(pk__gt=last).order_by("pk")[:CHUNK])
        if not page:
            return
        names: dict[int, list[str]] = {}
        for notification_id, username in (
            NotificationActor.objects.filter(notification__in=page)
            .order_by("notification_id", "created_at", "pk")
            .values_list("notification_id", "actor__username")
        ):
            names.setdefault(notification_id, []).append(username)
        for notification in page:
            people = names.get(notification.pk, [])
            yield {
                "kind": notification.kind,
                "text": notification_text(notification, people[-2:][::-1]),
                "people": people,
                "video_id": notification.video_id,
                "at": moment(notification.created_at),
                "latest_at": moment(notification.updated_at),
                "read_at": moment(notification.read_at),
            }
        last = page[-1].pk


def personal_data(user: Any) -> list[Section]:
    return [
        Section(
            "notifications",
            "your notifications: what happened, who did it, when, whether you read it",
            _notifications(user),
        ),
        Section(
            "notification_settings",
            "the kinds of notification you turned off",
            [{"muted_kinds": sorted(muted_kinds(user_id=user.pk))}],
        ),
    ]
