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


def _owners_communicator():  # noqa: ANN202
    """A socket of the owner of a video being processed."""
    owner = UserFactory()
    video = VideoFactory(owner=owner, status=VideoStatus.PROCESSING)
    return _communicator(video.pk, owner)


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


@pytest.mark.django_db(transaction=True)
def test_one_account_holds_a_bounded_number_of_status_sockets(settings):  # noqa: ANN001
    # Each is a database read at connect and a member of a Redis group: 25 of 25 were taken.
    settings.VIDEO_STATUS_SOCKETS_PER_USER = 2
    owner = UserFactory()
    video = VideoFactory(owner=owner, status=VideoStatus.PROCESSING)
    sockets = [_communicator(video.pk, owner) for _ in range(3)]

    async def scenario():  # noqa: ANN202
        answers = []
        for socket in sockets:
            connected, _ = await socket.connect()
            first = await socket.receive_output(timeout=5)
            answers.append((connected, first.get("code")))
        await sockets[0].disconnect()
        again = _communicator(video.pk, owner)
        connected, _ = await again.connect()  # a place given back is taken again
        for socket in (*sockets[1:], again):
            await socket.disconnect()
        return answers, connected

    answers, again = async_to_sync(scenario)()
    assert [code for _, code in answers] == [None, None, 4429]
    assert again is True


@pytest.mark.django_db(transaction=True)
def test_what_a_client_sends_on_the_status_socket_is_dropped_unread():
    # Parsed as JSON on the event loop (a megabyte took 27 ms); text that was not JSON raised
    # on every frame.
    communicator = _owners_communicator()

    async def scenario():  # noqa: ANN202
        await communicator.connect()
        await communicator.receive_json_from(timeout=5)
        await communicator.send_to(text_data="not json")
        await communicator.send_to(text_data="[" * 100_000)
        quiet = await communicator.receive_nothing(timeout=0.5)
        await communicator.disconnect()
        return quiet

    assert async_to_sync(scenario)() is True
