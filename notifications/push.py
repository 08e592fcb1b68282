"""Live delivery: the recipient's open pages (a websocket each) get the unread count and the
notification that changed it, through the channel layer."""

from __future__ import annotations

import logging
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

from notifications.selectors import notification_payloads, unread_counts

logger = logging.getLogger(__name__)


def user_group(user_id: int) -> str:
    return f"notifications.user.{user_id}"


def unread_push(*, user_id: int, notification: Any) -> None:
    """Tell the user's sockets their unread count changed (and which notification changed it).
    Each socket reads the count itself when it sends, so the last message is the latest count.
    A channel layer outage loses only the live update: the rows are stored and the page and
    the badge read them on their next load."""
    message: dict[str, Any] = {"type": "notification.push", "notification": None}
    if notification is not None:
        payloads = notification_payloads(
            notifications=[notification], viewer=notification.recipient
        )
        message["notification"] = payloads[0] if payloads else None
    _send_all([(user_id, message)])


def unread_push_many(*, user_ids: list[int]) -> None:
    """Tell many users' sockets (a fan-out) their new counts, read for all of them in one query
    (each socket would otherwise read its own): one event loop and one channel-layer
    connection for the lot, not one per user."""
    _send_all(
        [
            (user_id, {"type": "notification.push", "unread": unread, "notification": None})
            for user_id, unread in unread_counts(user_ids=user_ids).items()
        ]
    )


def _send_all(messages: list[tuple[int, dict[str, Any]]]) -> None:
    async def send() -> None:
        layer = get_channel_layer()
        for user_id, message in messages:
            try:
                await layer.group_send(user_group(user_id), message)
            except Exception:  # noqa: BLE001 - the stored notification stands
                logger.warning(
                    "live push of notifications to user %s failed", user_id, exc_info=True
                )

    try:
        async_to_sync(send)()
    except Exception:  # noqa: BLE001 - no channel layer at all: the rows stand
        logger.warning("live push of notifications failed", exc_info=True)
