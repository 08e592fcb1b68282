"""The live notifications socket: the unread count on connect, each change pushed."""

from __future__ import annotations

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator

from notifications.deliveries import event_deliver
from notifications.routing import websocket_urlpatterns
from tests.factories import LikeFactory, UserFactory, VideoFactory


def _signed_in_session(user):  # noqa: ANN001, ANN202
    """A stored session of this user, as signing in through the site leaves one."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    session = SessionStore()
    if user is not None:
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "profiles.auth_backends.LockoutModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()
    return session


def _communicator(user):  # noqa: ANN001, ANN202
    communicator = WebsocketCommunicator(URLRouter(websocket_urlpatterns), "/ws/notifications")
    communicator.scope["user"] = user
    communicator.scope["session"] = _signed_in_session(user)
    return communicator


@pytest.mark.django_db(transaction=True)
def test_a_like_reaches_the_owners_open_socket():
    owner, fan = UserFactory(), UserFactory(display_name="Ana")
    video = VideoFactory(owner=owner)
    communicator = _communicator(owner)

    async def scenario():  # noqa: ANN202
        connected, _ = await communicator.connect()
        assert connected
        first = await communicator.receive_json_from(timeout=5)
        await database_sync_to_async(LikeFactory)(user=fan, video=video)
        await database_sync_to_async(event_deliver)(
            event="like", payload={"user_id": fan.pk, "video_id": video.pk}
        )
        pushed = await communicator.receive_json_from(timeout=5)
        await communicator.disconnect()
        return first, pushed

    first, pushed = async_to_sync(scenario)()
    assert first == {"type": "unread", "unread": 0, "notification": None}
    assert pushed["unread"] == 1
    assert pushed["notification"]["text"] == "Ana liked your video"
    assert pushed["notification"]["video"]["id"] == video.pk


@pytest.mark.django_db(transaction=True)
def test_anonymous_sockets_are_refused():
    communicator = _communicator(None)

    async def scenario():  # noqa: ANN202
        connected, _ = await communicator.connect()
        closed = await communicator.receive_output(timeout=5)
        return connected, closed["code"]

    # Accepted, then closed with 4401: a close before the handshake would reach a browser as
    # an HTTP 403 (close code 1006), which the page could not tell from a network error.
    connected, code = async_to_sync(scenario)()
    assert connected is True
    assert code == 4401


@pytest.mark.django_db(transaction=True)
def test_another_users_like_does_not_reach_you():
    owner, bystander, fan = UserFactory(), UserFactory(), UserFactory()
    video = VideoFactory(owner=owner)
    communicator = _communicator(bystander)

    async def scenario():  # noqa: ANN202
        await communicator.connect()
        await communicator.receive_json_from(timeout=5)
        await database_sync_to_async(LikeFactory)(user=fan, video=video)
        told = await database_sync_to_async(event_deliver)(
            event="like", payload={"user_id": fan.pk, "video_id": video.pk}
        )
        assert told == 1  # the owner was told; the bystander's socket hears nothing
        nothing = await communicator.receive_nothing(timeout=1)
        await communicator.disconnect()
        return nothing

    assert async_to_sync(scenario)() is True


@pytest.mark.django_db(transaction=True)
def test_a_password_change_ends_the_open_socket():
    owner, fan = UserFactory(), UserFactory()
    video = VideoFactory(owner=owner)
    LikeFactory(user=fan, video=video)
    communicator = _communicator(owner)

    def change_password() -> None:
        owner.set_password("a-brand-new-passphrase")
        owner.save()

    async def scenario():  # noqa: ANN202
        await communicator.connect()
        await communicator.receive_json_from(timeout=5)
        await database_sync_to_async(change_password)()
        await database_sync_to_async(event_deliver)(
            event="like", payload={"user_id": fan.pk, "video_id": video.pk}
        )
        closed = await communicator.receive_output(timeout=5)
        await communicator.disconnect()
        return closed

    closed = async_to_sync(scenario)()
    assert closed == {"type": "websocket.close", "code": 4001}


def _ended_session_closes_the_socket(end_session) -> dict:  # noqa: ANN001
    """Connect as the owner, end the session with `end_session(session)`, deliver a like: what
    the socket gets."""
    owner, fan = UserFactory(), UserFactory()
    video = VideoFactory(owner=owner)
    LikeFactory(user=fan, video=video)
    communicator = _communicator(owner)

    async def scenario():  # noqa: ANN202
        await communicator.connect()
        await communicator.receive_json_from(timeout=5)
        await database_sync_to_async(end_session)(communicator.scope["session"])
        await database_sync_to_async(event_deliver)(
            event="like", payload={"user_id": fan.pk, "video_id": video.pk}
        )
        got = await communicator.receive_output(timeout=5)
        await communicator.disconnect()
        return got

    return async_to_sync(scenario)()


@pytest.mark.django_db(transaction=True)
def test_signing_out_ends_the_open_socket_before_it_hears_anything():
    """Signing out deletes the session; the socket loaded it at connect and used to go on
    showing the person's notifications in the signed-out browser."""
    got = _ended_session_closes_the_socket(lambda session: session.delete())
    assert got == {"type": "websocket.close", "code": 4001}


@pytest.mark.django_db(transaction=True)
def test_an_expired_session_ends_the_open_socket():
    from datetime import timedelta

    from django.contrib.sessions.models import Session
    from django.utils import timezone

    def expire(session) -> None:  # noqa: ANN001
        Session.objects.filter(session_key=session.session_key).update(
            expire_date=timezone.now() - timedelta(seconds=1)
        )

    assert _ended_session_closes_the_socket(expire) == {"type": "websocket.close", "code": 4001}


@pytest.mark.django_db(transaction=True)
def test_the_count_sent_is_the_one_when_it_is_sent():
    """A push about a notification carries the unread count read when the socket sends it,
    not one a sender read earlier (a mark-all-read between the two was undone on the badge by
    the stale count)."""
    from channels.layers import get_channel_layer

    from notifications.models import Notification
    from notifications.push import user_group

    owner = UserFactory()
    Notification.objects.create(recipient=owner, kind="video_ready", group_key="video_ready:1")
    communicator = _communicator(owner)

    async def scenario():  # noqa: ANN202
        await communicator.connect()
        await communicator.receive_json_from(timeout=5)
        # A push about one notification carries no count: the socket reads it as it sends.
        push = {"type": "notification.push", "notification": {"id": 1}}
        await get_channel_layer().group_send(user_group(owner.pk), push)
        pushed = await communicator.receive_json_from(timeout=5)
        await communicator.disconnect()
        return pushed["unread"]

    assert async_to_sync(scenario)() == 1


@pytest.mark.django_db(transaction=True)
def test_what_a_client_sends_is_dropped_unread():
    owner = UserFactory()
    communicator = _communicator(owner)

    async def scenario():  # noqa: ANN202
        await communicator.connect()
        await communicator.receive_json_from(timeout=5)
        await communicator.send_to(text_data="[" * 50_000)  # not JSON: used to raise
        await communicator.send_to(bytes_data=b"\x00\x01")
        quiet = await communicator.receive_nothing(timeout=0.5)
        await communicator.disconnect()
        return quiet

    assert async_to_sync(scenario)() is True


@pytest.mark.django_db(transaction=True)
def test_one_account_holds_a_limited_number_of_sockets(settings):  # noqa: ANN001
    settings.NOTIFICATIONS_SOCKETS_PER_USER = 2
    owner = UserFactory()
    sockets = [_communicator(owner) for _ in range(3)]
    again = _communicator(owner)

    async def scenario():  # noqa: ANN202
        for socket in sockets[:2]:
            assert (await socket.connect())[0]
            await socket.receive_json_from(timeout=5)
        await sockets[2].connect()
        refused = await sockets[2].receive_output(timeout=5)
        await sockets[0].disconnect()  # a closed tab frees its place
        await again.connect()
        welcome = await again.receive_json_from(timeout=5)
        await again.disconnect()
        await sockets[1].disconnect()
        return refused, welcome

    refused, welcome = async_to_sync(scenario)()
    assert refused == {"type": "websocket.close", "code": 4429}
    assert welcome["type"] == "unread"


@pytest.mark.django_db(transaction=True)
def test_a_consumer_killed_without_a_close_gives_its_place_back(settings):  # noqa: ANN001
    """Channels calls disconnect() only for a close it hears: a consumer the server killed
    (stuck on the database) or whose handler raised kept its place, and after a few such the
    account's sockets were refused for good."""
    import asyncio
    import contextlib

    settings.NOTIFICATIONS_SOCKETS_PER_USER = 1
    owner = UserFactory()
    first, second = _communicator(owner), _communicator(owner)

    async def scenario():  # noqa: ANN202
        await first.connect()
        await first.receive_json_from(timeout=5)
        first.future.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await first.future
        await second.connect()
        welcome = await second.receive_output(timeout=5)
        await second.disconnect()
        return welcome

    welcome = async_to_sync(scenario)()
    assert welcome["type"] == "websocket.send"


@pytest.mark.django_db(transaction=True)
def test_a_fan_out_sends_each_recipient_its_own_count():
    from notifications.models import Notification
    from notifications.push import unread_push_many

    owner, other = UserFactory(), UserFactory()
    Notification.objects.create(recipient=owner, kind="video_ready", group_key="video_ready:1")
    Notification.objects.create(recipient=owner, kind="video_ready", group_key="video_ready:2")
    communicator = _communicator(owner)

    async def scenario():  # noqa: ANN202
        await communicator.connect()
        await communicator.receive_json_from(timeout=5)
        await database_sync_to_async(unread_push_many)(user_ids=[owner.pk, other.pk])
        pushed = await communicator.receive_json_from(timeout=5)
        await communicator.disconnect()
        return pushed

    assert async_to_sync(scenario)() == {"type": "unread", "unread": 2, "notification": None}
