"""A notification recorded straight through the service (what a delivery task would record)."""

from __future__ import annotations

from typing import Any

from notifications.models import Notification
from notifications.services import Notice, notification_add


def notice_add(
    recipient: Any,
    kind: str,
    group_key: str,
    *,
    actor: Any = None,
    video: Any = None,
    comment: Any = None,
) -> Notification | None:
    return notification_add(
        Notice(
            recipient_id=recipient.pk,
            kind=kind,
            group_key=group_key,
            actor_id=actor.pk if actor is not None else None,
            video_id=video.pk if video is not None else None,
            comment_id=comment.pk if comment is not None else None,
        )
    )
