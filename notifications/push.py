"""Live delivery: the recipient's open pages (a websocket each) get the unread count and the
notification that changed it, through the channel layer."""

from __future__ import annotations

import logging
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

from notifications.selectors import notification_payloads, unread_count, unread_counts

logger = logging.getLogger(__name__)


def user_group(user_id: int) -> str:
    return f"notifications.user.{user_id}"


def unread_push(*, user_id: int, notification: Any) -> None:
    """Send the new unread count (and the notification, when one changed) to the user's sockets.
    A channel layer outage loses only the live update: the rows are stored and the page and
    the badge read them on their next load."""
    message: dict[str, Any] = {
        "type": "notification.push",
        "unread": unread_count(user_id=user_id),
        "notification": None,
    }
    if notification is not None:
        payloads = notification_payloads(
            notifications=[notification], viewer=notification.recipient
        )
        message["notification"] = payloads[0] if payloads else None
    _send(user_id, message)


def unread_push_many(*, user_ids: list[int]) -> None:
    """The new unread counts of many users (a fan-out), counted in one query."""
    for user_id, unread in unread_counts(user_ids=user_ids).items():
        _send(user_id, {"type": "notification.push", "unread": unread, "notification": None})


def _send(user_id: int, message: dict[str, Any]) -> None:
    try:
        async_to_sync(get_channel_layer().group_send)(user_group(user_id), message)
    except Exception:  # noqa: BLE001 - the stored notification stands
        logger.warning("live push of notifications to user %s failed", user_id, exc_info=True)
