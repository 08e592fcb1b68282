"""Pipeline steps called directly with the typed outputs of the steps before them."""

from __future__ import annotations

import pytest

from tests.factories import TEST_EMBEDDING_VERSION, VideoFactory
from videos.pipeline.errors import StepPermanentError
from videos.pipeline.outputs import EmbedOutput
from videos.pipeline.steps import step_tag

pytestmark = pytest.mark.django_db


def test_the_tag_step_of_a_video_without_an_embedding_fails() -> None:
    video = VideoFactory()

    with pytest.raises(StepPermanentError, match="no embedding"):
        step_tag(video, EmbedOutput(embedding_version=TEST_EMBEDDING_VERSION, dim=8))


def test_an_object_store_outage_is_retried_not_blamed_on_the_video(clip, settings) -> None:  # noqa: ANN001
    import copy

    from profiles.models import User
    from videos.models import StepState, VideoStatus
    from videos.pipeline.errors import StepTransientError
    from videos.pipeline.policy import step_run
    from videos.services.videos import video_create_from_path

    video, _ = video_create_from_path(owner=User.objects.create(username="uploader"), path=clip)
    working = copy.deepcopy(settings.STORAGES)
    broken = copy.deepcopy(settings.STORAGES)
    broken["default"]["OPTIONS"]["endpoint_url"] = "http://127.0.0.1:9"
    settings.STORAGES = broken

    with pytest.raises(StepTransientError, match="media storage is unavailable"):
        step_run(video_id=video.pk, name="transcode", retries=0)
    video.refresh_from_db()
    step = video.steps.get(name="transcode")
    assert video.status != VideoStatus.FAILED
    assert step.state == StepState.PENDING and "unavailable" in step.last_error

    settings.STORAGES = working  # the store is back: the retry succeeds
    assert step_run(video_id=video.pk, name="transcode", retries=0)
    assert video.steps.get(name="transcode").state == StepState.DONE


def test_a_missing_original_fails_the_video_at_once_with_the_reason(clip) -> None:  # noqa: ANN001
    from profiles.models import User
    from tiktok.storage import storage_delete
    from videos.models import StepState, VideoStatus
    from videos.pipeline.policy import step_run
    from videos.services.videos import video_create_from_path

    video, _ = video_create_from_path(owner=User.objects.create(username="uploader"), path=clip)
    storage_delete(video.original.name)  # a lost object, a wrong key, an orphan sweep

    assert step_run(video_id=video.pk, name="transcode", retries=0) is False
    video.refresh_from_db()
    assert video.status == VideoStatus.FAILED
    assert "a stored file is missing" in video.failure_reason
    assert video.steps.get(name="transcode").state == StepState.FAILED


def test_missing_frames_read_together_are_reported_missing_not_as_an_outage() -> None:
    from tiktok.storage import StorageObjectMissing, storage_local_paths

    names = ["nowhere/1.jpg", "nowhere/2.jpg"]
    with pytest.raises(StorageObjectMissing), storage_local_paths(names):
        pass


def test_a_video_deleted_during_its_transcode_makes_the_step_a_no_op(clip, monkeypatch) -> None:  # noqa: ANN001
    from django.core.files.storage import default_storage

    from profiles.models import User
    from videos.models import Video
    from videos.pipeline import steps
    from videos.pipeline.policy import step_run
    from videos.services.videos import video_create_from_path

    video, _ = video_create_from_path(owner=User.objects.create(username="uploader"), path=clip)
    real_hls = steps.mp4_to_hls

    def hls_then_owner_deletes(mp4, folder):  # noqa: ANN001, ANN202
        playlist = real_hls(mp4, folder)
        Video.objects.filter(pk=video.pk).delete()  # DELETE /api/videos/<id> meanwhile
        return playlist

    monkeypatch.setattr(steps, "mp4_to_hls", hls_then_owner_deletes)

    assert step_run(video_id=video.pk, name="transcode", retries=0) is False
    assert not default_storage.exists(steps.video_prefix(video) + "video.mp4")


def test_a_video_deleted_while_a_step_succeeds_makes_the_step_a_no_op(monkeypatch) -> None:  # noqa: ANN001
    from videos.models import STEP_ORDER, PipelineStep, Video
    from videos.pipeline.outputs import TranscodeOutput
    from videos.pipeline.policy import step_run
    from videos.pipeline.steps import STEPS, Step

    video = VideoFactory()
    for name in STEP_ORDER:
        PipelineStep.objects.create(video=video, name=name)

    def transcode_then_owner_deletes(video):  # noqa: ANN001, ANN202
        Video.objects.filter(pk=video.pk).delete()
        return TranscodeOutput()

    monkeypatch.setitem(STEPS, "transcode", Step(transcode_then_owner_deletes))

    assert step_run(video_id=video.pk, name="transcode", retries=0) is False
    assert not PipelineStep.objects.filter(video_id=video.pk).exists()


def test_a_full_worker_disk_is_waited_out_not_blamed_on_the_video(clip, monkeypatch) -> None:  # noqa: ANN001
    import errno

    from profiles.models import User
    from videos.models import StepState, VideoStatus
    from videos.pipeline import steps
    from videos.pipeline.errors import StepOutage
    from videos.pipeline.policy import step_run
    from videos.services.videos import video_create_from_path

    video, _ = video_create_from_path(owner=User.objects.create(username="uploader"), path=clip)

    def disk_full(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(steps, "transcode", disk_full)

    with pytest.raises(StepOutage, match="No space left on device"):
        step_run(video_id=video.pk, name="transcode", retries=0)
    video.refresh_from_db()
    assert video.status != VideoStatus.FAILED
    assert video.steps.get(name="transcode").state == StepState.PENDING


def test_a_step_out_of_memory_is_retried_then_fails_with_the_reason(monkeypatch) -> None:  # noqa: ANN001
    from videos.models import STEP_ORDER, PipelineStep, VideoStatus
    from videos.pipeline.errors import StepOutage, StepTransientError
    from videos.pipeline.policy import step_run
    from videos.pipeline.steps import STEPS, Step

    video = VideoFactory(status=VideoStatus.PROCESSING)
    for name in STEP_ORDER:
        PipelineStep.objects.create(video=video, name=name)

    def out_of_memory(video):  # noqa: ANN001, ANN202
        raise MemoryError

    monkeypatch.setitem(STEPS, "transcode", Step(out_of_memory))

    with pytest.raises(StepTransientError, match="ran out of memory") as retry:
        step_run(video_id=video.pk, name="transcode", retries=0)
    assert not isinstance(retry.value, StepOutage)  # a few tries, not 6 hours
    assert step_run(video_id=video.pk, name="transcode", retries=None) is False
    video.refresh_from_db()
    assert video.status == VideoStatus.FAILED
    assert "ran out of memory" in video.failure_reason
