"""The Celery chain (eager) end to end: ready, graceful degradation, and hard failures."""

from __future__ import annotations

import pytest

from tests.conftest import free_port
from videos.models import StepState, Video, VideoEmbedding, VideoStatus


@pytest.fixture
def eager(celery_eager):  # noqa: ANN001
    """Tasks run in this process (tests/conftest.py)."""


def _upload(client, path):  # noqa: ANN001, ANN202
    with path.open("rb") as handle:
        return client.post("/api/videos", {"file": handle, "caption": "a dog"}, format="multipart")


def _steps(video: Video) -> dict:
    return {step.name: step for step in video.steps.all()}


def test_upload_runs_the_chain_to_ready_and_skips_asr_without_audio(
    eager,
    embedder,
    auth_client,
    silent_clip,  # noqa: ANN001
):
    response = _upload(auth_client, silent_clip)
    assert response.status_code == 201
    video = Video.objects.get(pk=response.json()["id"])
    assert video.status == VideoStatus.READY, video.failure_reason
    steps = _steps(video)
    assert steps["transcribe"].state == StepState.SKIPPED
    assert "no audio" in steps["transcribe"].last_error
    assert steps["embed"].state == StepState.DONE
    assert VideoEmbedding.objects.filter(video=video).exists()
    detail = auth_client.get(f"/api/videos/{video.pk}").json()
    assert detail["mp4_url"].endswith(f"videos/{video.media_key}/video.mp4")
    assert detail["hls_url"].endswith("hls/index.m3u8")
    assert auth_client.get(detail["mp4_url"], HTTP_RANGE="bytes=0-99").status_code == 206


def test_tagging_failure_publishes_without_tags(
    eager, embedder, auth_client, silent_clip, monkeypatch
):  # noqa: ANN001
    import tagging.services.assign

    def broken_scorer(**kwargs):  # noqa: ANN003, ANN202
        raise RuntimeError("taxonomy unavailable")

    monkeypatch.setattr(tagging.services.assign, "video_tags_assign", broken_scorer)
    video = Video.objects.get(pk=_upload(auth_client, silent_clip).json()["id"])
    assert video.status == VideoStatus.READY
    tag_step = _steps(video)["tag"]
    assert tag_step.state == StepState.FAILED
    assert "taxonomy unavailable" in tag_step.last_error


def test_embedder_down_fails_the_video_after_retries_and_never_publishes(
    eager,
    settings,
    auth_client,
    clip,  # noqa: ANN001
):
    settings.EMBEDDER_URL = f"http://127.0.0.1:{free_port()}"
    video = Video.objects.get(pk=_upload(auth_client, clip).json()["id"])
    steps = _steps(video)
    assert video.status == VideoStatus.FAILED
    assert video.failure_reason.startswith("embed:")
    assert steps["transcode"].state == StepState.DONE
    # ASR failing is survivable (publish without transcript); embedding failing is not.
    assert steps["transcribe"].state == StepState.FAILED
    assert steps["embed"].state == StepState.FAILED
    assert steps["embed"].attempts == 6
    assert steps["publish"].state == StepState.PENDING
    assert video.published_at is None
