"""Live pipeline status for the uploader: /ws/videos/<id>/status."""

from __future__ import annotations

from typing import Any

from channels.db import database_sync_to_async
from django.conf import settings

from profiles.viewers import is_signed_in
from tiktok.sockets import CLOSE_TOO_MANY, OneWayCappedConsumer
from videos.models import Video
from videos.pipeline.progress import status_group
from videos.selectors.videos import video_status

CLOSE_FORBIDDEN = 4403


def _owner_status(video_id: int, user) -> dict[str, Any] | None:  # noqa: ANN001
    if not is_signed_in(user):
        return None
    video = Video.objects.filter(pk=video_id, owner_id=user.pk).first()
    return video_status(video=video) if video is not None else None


class VideoStatusConsumer(OneWayCappedConsumer):
    """Only the owner may subscribe; they get the current state at once, then every change. An
    account holds at most VIDEO_STATUS_SOCKETS_PER_USER of them per process (each is a database
    read at connect and a Redis group's member), and what a client sends is dropped unread."""

    group_name: str | None = None

    async def connect(self) -> None:
        video_id = int(self.scope["url_route"]["kwargs"]["video_id"])
        user = self.scope.get("user")
        if is_signed_in(user) and not self.place_take(
            user.pk, settings.VIDEO_STATUS_SOCKETS_PER_USER
        ):
            await self.accept()
            await self.close(code=CLOSE_TOO_MANY)
            return
        current = await database_sync_to_async(_owner_status)(video_id, user)
        if current is None:
            await self.close(code=CLOSE_FORBIDDEN)
            return
        self.group_name = status_group(video_id)
        await self.channel_layer.group_add(self.group_name, self.channel_name)
        await self.accept()
        await self.send_json({"type": "status", "video": current})

    async def disconnect(self, code: int) -> None:
        self.place_release()
        if self.group_name:
            await self.channel_layer.group_discard(self.group_name, self.channel_name)

    async def status(self, event: dict[str, Any]) -> None:
        await self.send_json({"type": "status", "video": event["video"]})
