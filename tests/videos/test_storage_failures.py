"""When the store fails part-way: a refused upload of renditions is an outage to wait out, a
refused deletion is retried and then swept, and no request answers 500 or waits on the store
for files whose rows are gone."""

from __future__ import annotations

import io
import secrets
from pathlib import Path

import pytest
from PIL import Image

from profiles.services.account_deletion import account_erase
from sounds.models import Sound
from tests.factories import UserFactory, VideoFactory
from tests.support.media import make_clip
from tests.support.storage import store_fails, store_requests
from tiktok.storage import StorageUnavailable, storage_delete_task, storage_put_many
from videos.models import Video, VideoStatus
from videos.services.videos import video_create_from_path, video_delete

pytestmark = pytest.mark.django_db


def _png(colour: tuple[int, int, int]) -> io.BytesIO:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), colour).save(buffer, format="PNG")
    buffer.seek(0)
    buffer.name = "me.png"
    return buffer


def test_a_5xx_while_storing_many_files_is_the_store_being_unavailable(
    media_store,  # noqa: ANN001
    tmp_path: Path,
) -> None:
    # boto3's transfer raised it as S3UploadFailedError, which nothing took for an outage.
    files = []
    for index in range(3):
        path = tmp_path / f"seg_{index}.ts"
        path.write_bytes(b"segment %d" % index)
        files.append((f"videos/{secrets.token_hex(16)}/hls/{path.name}", path))
    with store_fails("PutObject", status=503, code="SlowDown"), pytest.raises(StorageUnavailable):
        storage_put_many(files)


def test_a_5xx_while_storing_renditions_leaves_the_video_to_retry_not_failed(
    media_store,  # noqa: ANN001
    tmp_path: Path,
) -> None:
    from videos.pipeline.errors import StepTransientError
    from videos.pipeline.policy import step_run

    video, _ = video_create_from_path(
        owner=UserFactory(), path=make_clip(tmp_path / "clip.mp4", seconds=1.0)
    )
    with store_fails("PutObject") as failed, pytest.raises(StepTransientError):
        step_run(video_id=video.pk, name="transcode", retries=0)
    assert failed
    video.refresh_from_db()
    assert video.status != VideoStatus.FAILED
    assert video.steps.get(name="transcode").state == "pending"


def test_a_deletion_the_store_refuses_is_retried_until_it_goes(media_store, celery_eager) -> None:  # noqa: ANN001
    video = VideoFactory()
    prefix = f"videos/{video.media_key}/"
    media_store.put(prefix + "video.mp4", b"bytes")
    media_store.put(prefix + "poster.jpg", b"bytes")
    with store_fails("DeleteObjects", status=503, code="ServiceUnavailable", times=2) as failed:
        storage_delete_task.apply(kwargs={"prefixes": [prefix], "names": []})
    assert len(failed) == 2
    assert media_store.names("videos") == []


def test_deleting_rows_sends_nothing_to_the_store_in_the_request(
    media_store,  # noqa: ANN001
    django_capture_on_commit_callbacks,  # noqa: ANN001
    monkeypatch,  # noqa: ANN001
) -> None:
    # Each video's files were deleted in the request, one after another: a store that did not
    # answer held an account's erasure for minutes per video.
    queued = []
    monkeypatch.setattr(storage_delete_task, "delay", lambda **kwargs: queued.append(kwargs))
    owner = UserFactory()
    owner.avatar.name = media_store.put(f"avatars/{owner.pk}/avatar-1.jpg", b"\xff\xd8\xff")
    owner.save(update_fields=["avatar"])
    videos = [VideoFactory(owner=owner) for _ in range(3)]
    for video in videos:
        media_store.put(f"videos/{video.media_key}/video.mp4", b"bytes")
    with store_requests() as sent, django_capture_on_commit_callbacks(execute=True):
        account_erase(user=owner)
    assert sent == []
    assert sorted(p for job in queued for p in job["prefixes"]) == sorted(
        f"videos/{video.media_key}/" for video in videos
    )
    assert [n for job in queued for n in job["names"]] == [f"avatars/{owner.pk}/avatar-1.jpg"]
    for job in queued:
        storage_delete_task.apply(kwargs=job)
    assert media_store.names() == []


def test_what_refused_deletions_leave_the_daily_sweep_removes(
    media_store,  # noqa: ANN001
    celery_eager,  # noqa: ANN001
    django_capture_on_commit_callbacks,  # noqa: ANN001
    settings,  # noqa: ANN001
) -> None:
    from tiktok.celery import app
    from videos.tasks import media_orphans_sweep_task

    assert "videos.media_orphans_sweep" in {
        entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()
    }
    assert "storage.delete" in app.tasks
    owner = UserFactory()
    gone = VideoFactory(owner=owner)
    kept = VideoFactory()
    for video in (gone, kept):
        media_store.put(f"videos/{video.media_key}/video.mp4", b"bytes")
    with store_fails("DeleteObjects"), django_capture_on_commit_callbacks(execute=True):
        account_erase(user=owner)  # every try refused: given up, not raised
    assert f"videos/{gone.media_key}/video.mp4" in media_store.names()
    settings.MEDIA_ORPHANS_MIN_AGE_SECONDS = 0
    assert media_orphans_sweep_task.apply().get() == 1
    assert media_store.names() == [f"videos/{kept.media_key}/video.mp4"]


def test_an_avatar_change_whose_old_file_cannot_be_deleted_is_still_a_success(
    media_store,  # noqa: ANN001
    celery_eager,  # noqa: ANN001
    django_capture_on_commit_callbacks,  # noqa: ANN001
    auth_client,  # noqa: ANN001
    user,  # noqa: ANN001
) -> None:
    # The deletion ran in the request's on_commit and its error reached the client as a 500,
    # for an edit that was committed.
    with django_capture_on_commit_callbacks(execute=True):
        first = auth_client.patch("/api/users/me", {"avatar": _png((1, 2, 3))}, format="multipart")
    assert first.status_code == 200, first.content
    old = Path(first.json()["avatar_url"]).name
    auth_client.raise_request_exception = False
    with (
        store_fails("DeleteObject", status=503, code="ServiceUnavailable"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        second = auth_client.patch("/api/users/me", {"avatar": _png((4, 5, 6))}, format="multipart")
    assert second.status_code == 200, second.content
    user.refresh_from_db()
    assert Path(user.avatar.name).name != old
    assert any(Path(name).name == old for name in media_store.names("avatars"))


def test_an_avatar_change_while_the_store_is_down_is_a_503(media_store, auth_client, user) -> None:  # noqa: ANN001
    auth_client.raise_request_exception = False
    with store_fails("PutObject", status=503, code="ServiceUnavailable"):
        response = auth_client.patch(
            "/api/users/me", {"avatar": _png((9, 9, 9))}, format="multipart"
        )
    assert response.status_code == 503, response.content
    assert response.json()["error"] == "storage_unavailable"
    assert int(response["Retry-After"]) > 0
    user.refresh_from_db()
    assert not user.avatar


def test_media_while_the_store_is_down_is_a_503_to_retry(media_store, client) -> None:  # noqa: ANN001
    owner = UserFactory()
    owner.avatar.name = media_store.put(f"avatars/{owner.pk}/avatar-2.jpg", b"\xff\xd8\xff")
    owner.save(update_fields=["avatar"])
    client.raise_request_exception = False
    with store_fails("HeadObject", status=503, code="ServiceUnavailable"):
        response = client.get(f"/media/avatars/{owner.pk}/avatar-2.jpg")
    assert response.status_code == 503
    assert response.json()["error"] == "storage_unavailable"
    assert int(response["Retry-After"]) > 0
    assert client.get(f"/media/avatars/{owner.pk}/avatar-2.jpg").status_code == 200


def test_a_video_deleted_during_its_transcode_takes_its_new_original_sound_along(
    media_store,  # noqa: ANN001
    tmp_path: Path,
    monkeypatch,  # noqa: ANN001
) -> None:
    # The sound was made from its audio after the owner's delete had run: it stayed, stored
    # and matched by later uploads, until the account went.
    from tests.sounds.media import melody, write_video
    from videos.pipeline import steps as steps_module
    from videos.pipeline.errors import VideoGone

    owner = UserFactory(username="singer")
    video, _ = video_create_from_path(
        owner=owner, path=write_video(tmp_path / "v.mp4", melody(3), seconds=8)
    )
    original_hls = steps_module.mp4_to_hls

    def deleted_meanwhile(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        out = original_hls(*args, **kwargs)
        video_delete(video=Video.objects.get(pk=video.pk))  # the owner's delete lands now
        return out

    monkeypatch.setattr(steps_module, "mp4_to_hls", deleted_meanwhile)
    with pytest.raises(VideoGone):
        steps_module.step_transcode(Video.objects.get(pk=video.pk))
    assert not Sound.objects.filter(creator=owner).exists()
