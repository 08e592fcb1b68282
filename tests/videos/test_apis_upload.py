"""POST /api/videos: streamed uploads, probing, limits, duplicates; nothing left behind on
rejection."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from tests.support.media import (
    make_audio_only,
    make_clip,
    make_long_video,
    make_text_as_mp4,
    make_truncated_mp4,
)
from videos.models import PipelineStep, Video, VideoStatus


def _upload(client, path: Path, name: str | None = None, **fields):  # noqa: ANN001, ANN003
    with path.open("rb") as handle:
        if name is not None:
            from django.core.files.uploadedfile import SimpleUploadedFile

            handle = SimpleUploadedFile(name, path.read_bytes(), content_type="video/mp4")
        return client.post("/api/videos", {"file": handle, **fields}, format="multipart")


def test_upload_returns_201_processing_and_stores_the_original(
    auth_client, user, clip, media_store
):
    response = _upload(auth_client, clip, caption="hello", privacy="private")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "processing"
    video = Video.objects.get(pk=body["id"])
    assert (video.owner, video.caption, video.privacy) == (user, "hello", "private")
    assert video.original.name == f"videos/{video.media_key}/original.mp4"
    assert media_store.names() == [f"videos/{video.media_key}/original.mp4"]
    assert PipelineStep.objects.filter(video=video).count() == 5


def test_upload_requires_login(api_client, clip):
    assert _upload(api_client, clip).status_code in (401, 403)


@pytest.mark.parametrize(
    ("maker", "status", "code"),
    [
        (lambda p: (p.write_bytes(b""), p)[1], 415, "empty_file"),
        (make_truncated_mp4, 415, "not_a_video"),
        (make_text_as_mp4, 415, "not_a_video"),
        (make_audio_only, 415, "no_video_stream"),
        (make_long_video, 400, "too_long"),
    ],
    ids=["zero-byte", "truncated-mp4", "text-renamed-mp4", "audio-only", "ten-minutes"],
)
def test_bad_upload_is_refused_with_reason_and_leaves_nothing(
    auth_client,
    user,
    tmp_path,
    media_store,
    maker,
    status,
    code,  # noqa: ANN001
):
    from tests.factories import VideoFactory

    other = VideoFactory(owner=user)
    response = _upload(auth_client, maker(tmp_path / "bad.mp4"))
    assert response.status_code == status
    assert response.json()["error"] == code
    assert response.json()["detail"]
    assert list(Video.objects.values_list("pk", flat=True)) == [other.pk]
    assert media_store.names() == []


@pytest.mark.parametrize("name", ["clip.m3u8", "clip.mp4"])
def test_a_playlist_upload_naming_another_video_is_refused_and_learns_nothing(
    auth_client, user, tmp_path, media_store, name: str
):
    # A playlist pointing at a file on the server: the answer must be the same refusal
    # whether or not the file exists (else it is an oracle on private media).
    existing = make_clip(tmp_path / "videos" / "42" / "hls" / "seg_000.mp4", audio=None)
    answers = []
    for target in (existing, tmp_path / "videos" / "43" / "hls" / "seg_000.mp4"):
        playlist = tmp_path / "playlist.m3u8"
        playlist.write_text(
            "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-MEDIA-SEQUENCE:0\n"
            f"#EXTINF:2.0,\nfile://{target}\n#EXT-X-ENDLIST\n"
        )
        response = _upload(auth_client, playlist, name=name)
        assert response.status_code == 415
        answers.append((response.json()["error"], response.json()["detail"]))
    assert answers[0] == answers[1]
    assert answers[0][0] == "not_a_video"
    assert not Video.objects.filter(owner=user).exists()
    assert media_store.names() == []


def test_upload_over_the_size_cap_is_413_and_leaves_nothing(
    auth_client, clip, settings, media_store
):
    settings.MAX_UPLOAD_BYTES = clip.stat().st_size - 1
    response = _upload(auth_client, clip)
    assert response.status_code == 413
    assert response.json()["error"] == "file_too_large"
    assert not Video.objects.exists() and media_store.names() == []


def test_duplicate_upload_is_409_with_the_existing_id(auth_client, clip):
    first = _upload(auth_client, clip).json()["id"]
    response = _upload(auth_client, clip, name="renamed copy.mp4")
    assert response.status_code == 409
    assert response.json()["id"] == first
    assert Video.objects.count() == 1


def test_the_same_file_after_its_processing_failed_is_processed_again(auth_client, clip):
    # A 409 left the uploader no way to retry a video that failed (an embedder outage).
    first = _upload(auth_client, clip).json()["id"]
    Video.objects.filter(pk=first).update(
        status=VideoStatus.FAILED, failure_reason="embed: the embedder was unreachable"
    )
    PipelineStep.objects.filter(video_id=first, name="embed").update(state="failed")

    response = _upload(auth_client, clip)

    assert response.status_code == 202, response.json()
    assert response.json() == {"id": first, "status": VideoStatus.PROCESSING, "retried": True}
    video = Video.objects.get()
    assert video.failure_reason == ""
    assert set(video.steps.values_list("state", flat=True)) == {"pending"}
    # While it is processing, the same file again is a duplicate.
    assert _upload(auth_client, clip).status_code == 409


@pytest.mark.parametrize("name", ["../../../etc/passwd.mp4", "..\\..\\evil.mp4", "猫の動画 🎬.mp4"])
def test_hostile_or_unicode_file_names_never_shape_the_stored_path(
    auth_client,
    clip,
    media_store,
    name,  # noqa: ANN001
):
    response = _upload(auth_client, clip, name=name)
    assert response.status_code == 201, response.json()
    video = Video.objects.get(pk=response.json()["id"])
    assert video.original.name == f"videos/{video.media_key}/original.mp4"
    assert "/" not in video.original_filename and "\\" not in video.original_filename
    assert media_store.names() == [f"videos/{video.media_key}/original.mp4"]


def test_gif_and_webm_uploads_are_accepted(auth_client, tmp_path):
    from tests.support.media import make_gif, make_webm

    for path in (make_gif(tmp_path / "a.gif"), make_webm(tmp_path / "b.webm")):
        assert _upload(auth_client, path).status_code == 201


def test_owner_deletes_video_and_all_its_files(
    auth_client, clip, media_store, celery_eager, django_capture_on_commit_callbacks
):
    video_id = _upload(auth_client, clip).json()["id"]
    with django_capture_on_commit_callbacks(execute=True):
        response = auth_client.delete(f"/api/videos/{video_id}")
    assert response.status_code == 204
    assert not Video.objects.filter(pk=video_id).exists()
    assert media_store.names() == []


def test_other_users_cannot_see_or_delete_an_unready_video(api_client, auth_client, clip):
    from tests.factories import UserFactory

    video_id = _upload(auth_client, clip).json()["id"]
    api_client.force_authenticate(UserFactory())
    assert api_client.get(f"/api/videos/{video_id}").status_code == 404
    assert api_client.delete(f"/api/videos/{video_id}").status_code == 404
    assert Video.objects.filter(pk=video_id).exists()


def test_detail_shows_the_owner_status_steps_and_transcript_fields(auth_client, clip):
    video_id = _upload(auth_client, clip).json()["id"]
    body = auth_client.get(f"/api/videos/{video_id}").json()
    assert body["id"] == video_id and body["status"] == VideoStatus.PROCESSING
    assert [step["name"] for step in body["steps"]] == [
        "transcode",
        "transcribe",
        "embed",
        "tag",
        "publish",
    ]
    assert set(body["steps"][0]) == {"name", "state", "attempts", "last_error", "duration_s"}
    for key in (
        "transcript",
        "transcript_language",
        "transcript_segments",
        "failure_reason",
        "fps",
        "has_audio",
        "source_url",
        "owner",
        "counts",
        "tags",
        "mp4_url",
    ):
        assert key in body


@pytest.mark.parametrize(
    "options",
    [
        {"bucket_name": f"no-such-bucket-{uuid.uuid4().hex[:12]}"},
        {"secret_key": "wrong"},
        {"endpoint_url": "http://127.0.0.1:9"},
    ],
    ids=["missing-bucket", "wrong-credentials", "unreachable-endpoint"],
)
def test_upload_while_the_storage_fails_is_503_and_leaves_nothing(
    auth_client, clip, settings, media_store, options
):  # noqa: ANN001
    import copy

    working = copy.deepcopy(settings.STORAGES)
    broken = copy.deepcopy(settings.STORAGES)
    broken["default"]["OPTIONS"].update(options)
    settings.STORAGES = broken

    response = _upload(auth_client, clip)

    assert response.status_code == 503
    assert response.json()["error"] == "storage_unavailable"
    assert "media storage is unavailable" in response.json()["detail"]
    assert not Video.objects.exists()
    settings.STORAGES = working
    assert media_store.names() == []
