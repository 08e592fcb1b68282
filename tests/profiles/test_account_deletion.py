"""Deleting one's own account: the password is required; the account, its videos (each of
many), their objects in the store and the avatar are gone; the session is signed out; other
people's things stay."""

from __future__ import annotations

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from profiles.models import User
from tests.factories import UserFactory, VideoFactory
from videos.models import Video

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"
RENDITION_FILES = ("original.mp4", "video.mp4", "hls/index.m3u8", "hls/seg_000.ts", "poster.jpg")
VIDEOS_OF_THE_ACCOUNT = 6


def _stored_video(store, **fields) -> Video:  # noqa: ANN001, ANN003
    """A video row with its renditions really in the object store."""
    video = VideoFactory(**fields)
    prefix = f"videos/{video.media_key}/"
    for name in RENDITION_FILES:
        store.put(prefix + name, b"bytes of " + name.encode())
    video.mp4.name, video.original.name = prefix + "video.mp4", prefix + "original.mp4"
    video.save(update_fields=["mp4", "original"])
    return video


@pytest.fixture
def maya(media_store):  # noqa: ANN001, ANN201
    user = UserFactory(username="maya", raw_password=PASSWORD)
    for _ in range(VIDEOS_OF_THE_ACCOUNT):
        _stored_video(media_store, owner=user)
    user.avatar.name = media_store.put(
        f"avatars/{user.pk}/avatar-0a1b2c3d4e5f.jpg", b"\xff\xd8\xff"
    )
    user.save(update_fields=["avatar"])
    return user


def _signed_in() -> APIClient:
    client = APIClient()
    response = client.post(
        "/api/auth/login", {"username": "maya", "password": PASSWORD}, format="json"
    )
    assert response.status_code == 200
    return client


def test_a_wrong_password_deletes_nothing(maya, media_store, django_capture_on_commit_callbacks):  # noqa: ANN001
    stored = media_store.names()
    client = _signed_in()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/api/me/delete", {"password": "wrong-guess"}, format="json")

    assert response.status_code == 400
    assert "password" in response.json()["fields"]
    assert User.objects.filter(pk=maya.pk).exists()
    assert Video.objects.filter(owner=maya).count() == VIDEOS_OF_THE_ACCOUNT
    assert media_store.names() == stored
    assert client.get("/api/auth/me").status_code == 200


def test_deleting_removes_the_account_its_videos_and_every_stored_object(
    maya, media_store, celery_eager, django_capture_on_commit_callbacks
):  # noqa: ANN001
    other = UserFactory()
    kept = _stored_video(media_store, owner=other)
    Token.objects.create(user=maya)
    client = _signed_in()
    assert len(media_store.names("videos/")) == (VIDEOS_OF_THE_ACCOUNT + 1) * len(RENDITION_FILES)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/api/me/delete", {"password": PASSWORD}, format="json")

    assert response.status_code == 204
    assert not User.objects.filter(pk=maya.pk).exists()
    assert not Video.objects.filter(owner_id=maya.pk).exists()
    assert not Token.objects.filter(user_id=maya.pk).exists()
    # Only the other person's video is left in the store: no rendition, no avatar of maya's.
    assert media_store.names() == sorted(
        f"videos/{kept.media_key}/{name}" for name in RENDITION_FILES
    )
    assert client.get("/api/auth/me").status_code == 401
    assert User.objects.filter(pk=other.pk).exists()


def test_anonymous_callers_cannot_delete(maya):  # noqa: ANN001
    response = APIClient().post("/api/me/delete", {"password": PASSWORD}, format="json")

    assert response.status_code == 401
    assert User.objects.filter(pk=maya.pk).exists()


def test_the_deletion_page_asks_for_the_password_and_the_username(client, maya):  # noqa: ANN001
    assert client.get("/settings/delete")["Location"] == "/login?next=/settings/delete"
    client.force_login(maya)

    page = client.get("/settings/delete")

    assert page.status_code == 200
    assert 'data-endpoint="/api/me/delete"' in page.text
    assert 'data-username="maya"' in page.text
    assert 'name="confirm_username"' in page.text


def test_the_accounts_sounds_go_with_it_and_videos_that_used_them_stay(
    maya, media_store, celery_eager, django_capture_on_commit_callbacks, tmp_path
):  # noqa: ANN001
    from sounds.models import Sound, SoundKind
    from sounds.services import sound_from_audio
    from tests.sounds.media import melody, write_audio

    uploaded, _ = sound_from_audio(
        path=write_audio(tmp_path / "maya.m4a", melody(3)),
        title="maya's tune",
        creator=maya,
        kind=SoundKind.UPLOADED,
    )
    used_elsewhere = VideoFactory(owner=UserFactory(), sound=uploaded)
    assert media_store.names("sounds/") == [f"sounds/{uploaded.media_key}/audio.m4a"]
    assert APIClient().get(f"/api/sounds/{uploaded.pk}").status_code == 200
    client = _signed_in()

    with django_capture_on_commit_callbacks(execute=True):
        assert (
            client.post("/api/me/delete", {"password": PASSWORD}, format="json").status_code == 204
        )

    assert not Sound.objects.filter(pk=uploaded.pk).exists()
    assert media_store.names("sounds/") == []
    assert APIClient().get(f"/api/sounds/{uploaded.pk}").status_code == 404
    used_elsewhere.refresh_from_db()
    assert used_elsewhere.sound_id is None
