"""What the notifications app stores about a person, for their data archive: the notifications
they have (read ones are kept NOTIFICATIONS_KEEP_READ_DAYS) and the kinds they turned off. As in
the app, people blocked since (either way) are not named, and a group they lead is left out; a
group names at most PEOPLE_NAMED people (a viral video's likes are counted, not listed)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from notifications.models import Notification
from notifications.selectors import group_people_latest, muted_kinds, notification_text
from profiles.models import User
from profiles.selectors import hidden_user_ids
from tiktok.personal_data import Section, moment

CHUNK = 500
PEOPLE_NAMED = 50


def _names(page: list[Notification], hidden: set[int]) -> dict[int, list[str]]:
    """The latest PEOPLE_NAMED people of each group on the page, latest first."""
    latest = group_people_latest(
        notification_ids=[n.pk for n in page],
        hidden=hidden,
        per_group=PEOPLE_NAMED,
        active_only=False,
    )
    usernames = dict(
        User.objects.filter(pk__in={pk for group in latest.values() for pk in group}).values_list(
            "pk", "username"
        )
    )
    # an account deleted between the two reads is simply not named
    return {
        pk: [usernames[actor] for actor in group if actor in usernames]
        for pk, group in latest.items()
    }


def _notifications(user: Any) -> Iterator[dict[str, Any]]:
    hidden = hidden_user_ids(viewer=user)
    last = 0
    while True:
        page = list(
            Notification.objects.filter(recipient=user, pk__gt=last)
            .select_related("actor")
            .order_by("pk")[:CHUNK]
        )
        if not page:
            return
        names = _names(page, hidden)
        for notification in page:
            if notification.actor_id in hidden:
                continue  # led by someone blocked since: the app leaves it out too
            people = names.get(notification.pk) or (
                [notification.actor.username] if notification.actor is not None else []
            )
            yield {
                "kind": notification.kind,
                "text": notification_text(notification, people[:2]),
                "people": people,
                "people_count": notification.actor_count,
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
            "your notifications: what happened, who did it (the latest 50 people of a group, "
            "and how many in all), when, whether you read it",
            _notifications(user),
        ),
        Section(
            "notification_settings",
            "the kinds of notification you turned off",
            [{"muted_kinds": sorted(muted_kinds(user_id=user.pk))}],
        ),
    ]
