"""The uploader's live status websocket."""

from __future__ import annotations

import pytest
from asgiref.sync import async_to_sync
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator

from tests.factories import UserFactory, VideoFactory
from videos.models import StepName, VideoStatus
from videos.pipeline.progress import step_start
from videos.routing import websocket_urlpatterns


def _communicator(video_id: int, user):  # noqa: ANN001, ANN202
    communicator = WebsocketCommunicator(
        URLRouter(websocket_urlpatterns), f"/ws/videos/{video_id}/status"
    )
    communicator.scope["user"] = user
    return communicator


@pytest.mark.django_db(transaction=True)
def test_owner_gets_current_state_then_each_step_transition():
    owner = UserFactory()
    video = VideoFactory(owner=owner, status=VideoStatus.PROCESSING)
    communicator = _communicator(video.pk, owner)

    async def scenario():  # noqa: ANN202
        connected, _ = await communicator.connect()
        assert connected
        first = await communicator.receive_json_from(timeout=5)
        from channels.db import database_sync_to_async

        await database_sync_to_async(step_start)(video=video, name=StepName.TRANSCODE)
        second = await communicator.receive_json_from(timeout=5)
        await communicator.disconnect()
        return first, second

    first, second = async_to_sync(scenario)()
    assert first["type"] == "status"
    assert first["video"]["id"] == video.pk and first["video"]["status"] == "processing"
    transcode = [s for s in second["video"]["steps"] if s["name"] == "transcode"][0]
    assert transcode["state"] == "running" and transcode["attempts"] == 1
    assert set(transcode) == {"name", "state", "attempts", "last_error", "duration_s"}


@pytest.mark.django_db(transaction=True)
def test_other_users_cannot_subscribe():
    video = VideoFactory(status=VideoStatus.PROCESSING)
    communicator = _communicator(video.pk, UserFactory())

    async def scenario():  # noqa: ANN202
        connected, _ = await communicator.connect()
        return connected

    assert async_to_sync(scenario)() is False
