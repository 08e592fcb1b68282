"""Live notifications for a signed-in user's open pages: /ws/notifications."""

from __future__ import annotations

import time
from importlib import import_module
from types import SimpleNamespace
from typing import Any

from channels.db import database_sync_to_async
from django.conf import settings
from django.contrib.auth import get_user

from notifications.push import user_group
from notifications.selectors import unread_count
from profiles.viewers import is_signed_in
from tiktok.sockets import CLOSE_TOO_MANY, OneWayCappedConsumer

# Not signed in (refused at connect): the client stops trying.
CLOSE_UNAUTHENTICATED = 4401
# The session this socket opened with is over (signed out, expired, a password change gave the
# browser a new one, a suspension): the client connects again once, with the cookie it has now,
# and is either let in or refused with CLOSE_UNAUTHENTICATED.
CLOSE_SESSION_ENDED = 4001
# Too many of this user's sockets on this process already (tiktok/sockets.py): each push runs
# one session read per socket on the process's one database thread, so a user with thousands of
# sockets stalled every other socket of the process. The client stops on it, as on 4401.
# A count-only push (a fan-out) re-reads the session at most this often; a push that carries a
# notification always does.
SESSION_RECHECK_SECONDS = 30.0


def _signed_in_user_id(session_key: str | None) -> int | None:
    """The user the session `session_key` signs in now, read from the session store (not the
    copy the socket loaded at connect): None once it was signed out, expired, or its user's
    password or standing changed."""
    if not session_key:
        return None
    store = import_module(settings.SESSION_ENGINE).SessionStore(session_key=session_key)
    user = get_user(SimpleNamespace(session=store))
    return user.pk if is_signed_in(user) else None


def _push_state(session_key: str | None, user_id: int) -> int | None:
    """The unread count to send, read at send time (a count computed by the sender could
    arrive after a newer one); None when the session no longer signs this user in."""
    if _signed_in_user_id(session_key) != user_id:
        return None
    return unread_count(user_id=user_id)


class NotificationsConsumer(OneWayCappedConsumer):
    """The current unread count at once, then each change (with the notification that made
    it); the channel is one-way."""

    group_name: str | None = None
    user_id: int | None = None
    session_checked_at = 0.0  # monotonic time of the last session read

    async def connect(self) -> None:
        user = self.scope.get("user")
        if not is_signed_in(user):
            # Accepted, then closed: a close before the handshake reaches a browser as an HTTP
            # 403 (close code 1006), and the client would retry for ever.
            await self.accept()
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        if not self.place_take(user.pk, settings.NOTIFICATIONS_SOCKETS_PER_USER):
            await self.accept()
            await self.close(code=CLOSE_TOO_MANY)
            return
        self.session_checked_at = time.monotonic()
        self.user_id = user.pk
        self.group_name = user_group(user.pk)
        await self.channel_layer.group_add(self.group_name, self.channel_name)
        await self.accept()
        unread = await database_sync_to_async(unread_count)(user_id=user.pk)
        await self.send_json({"type": "unread", "unread": unread, "notification": None})

    async def disconnect(self, code: int) -> None:
        self.place_release()
        if self.group_name:
            await self.channel_layer.group_discard(self.group_name, self.channel_name)

    async def notification_push(self, event: dict[str, Any]) -> None:
        # The session is read again from the store before anything is sent: a sign-out, an
        # expiry, a password change or reset, or a suspension ends the socket instead.
        session_key = getattr(self.scope.get("session"), "session_key", None)
        if event.get("notification") is None and event.get("unread") is not None:
            # A fan-out's new count (a followed creator's new video), read by the sender for
            # all its recipients in one query: the session is read again at most every
            # SESSION_RECHECK_SECONDS here, not once per socket per video.
            if time.monotonic() - self.session_checked_at >= SESSION_RECHECK_SECONDS:
                user_id = await database_sync_to_async(_signed_in_user_id)(session_key)
                if user_id != self.user_id:
                    await self.close(code=CLOSE_SESSION_ENDED)
                    return
                self.session_checked_at = time.monotonic()
            await self.send_json(
                {"type": "unread", "unread": event["unread"], "notification": None}
            )
            return
        unread = await database_sync_to_async(_push_state)(session_key, self.user_id)
        if unread is None:
            await self.close(code=CLOSE_SESSION_ENDED)
            return
        self.session_checked_at = time.monotonic()
        await self.send_json(
            {"type": "unread", "unread": unread, "notification": event["notification"]}
        )
