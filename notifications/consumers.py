"""Live notifications for a signed-in user's open pages: /ws/notifications."""

from __future__ import annotations

from typing import Any

from channels.auth import get_user
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from notifications.push import user_group
from notifications.selectors import unread_count
from profiles.viewers import is_signed_in

CLOSE_UNAUTHENTICATED = 4401


class NotificationsConsumer(AsyncJsonWebsocketConsumer):
    """The current unread count at once, then each change (with the notification that made
    it); the channel is one-way."""

    group_name: str | None = None

    async def connect(self) -> None:
        user = self.scope.get("user")
        if not is_signed_in(user):
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        self.group_name = user_group(user.pk)
        await self.channel_layer.group_add(self.group_name, self.channel_name)
        await self.accept()
        unread = await database_sync_to_async(unread_count)(user_id=user.pk)
        await self.send_json({"type": "unread", "unread": unread, "notification": None})

    async def disconnect(self, code: int) -> None:
        if self.group_name:
            await self.channel_layer.group_discard(self.group_name, self.channel_name)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        return None

    async def notification_push(self, event: dict[str, Any]) -> None:
        # The session is checked again before anything is sent: a password change or reset, a
        # sign-out elsewhere that rotated the password hash, or a suspension ends the socket.
        user = await get_user(self.scope)
        if not is_signed_in(user) or self.group_name != user_group(user.pk):
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        await self.send_json(
            {"type": "unread", "unread": event["unread"], "notification": event["notification"]}
        )
