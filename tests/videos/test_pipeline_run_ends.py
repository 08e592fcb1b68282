"""Every run ends with the video ready or failed, and no second run starts beside one: an
`--only` run, a worker killed between a step's end and the video's status, a caption edit or a
reprocess while a run goes on, a video deleted during an in-process run, the sweep and an upload
retry finding the same cut-short run. The steps succeed at once (`instant_steps`): what is
under test is the run's policy."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from tests.factories import UserFactory, VideoFactory
from videos.models import STEP_ORDER, PipelineStep, StepState, Video, VideoStatus
from videos.tasks import pipeline_enqueue, pipeline_sweep

pytestmark = pytest.mark.django_db

SEGMENTS = {"segments": [{"start": 0, "end": 1.5, "text": "hello there"}]}


def _ready_video(**kwargs) -> Video:  # noqa: ANN003
    now = timezone.now()
    video = VideoFactory(
        status=VideoStatus.READY, pipeline_requested_at=now, pipeline_queued_at=now, **kwargs
    )
    for name in STEP_ORDER:
        PipelineStep.objects.create(
            video=video, name=name, state=StepState.DONE, attempts=1, started_at=now
        )
    return video


def _video_being_transcoded(**kwargs) -> Video:  # noqa: ANN003
    now = timezone.now()
    video = VideoFactory(
        status=VideoStatus.PROCESSING,
        published_at=None,
        pipeline_requested_at=now,
        pipeline_queued_at=now + timedelta(seconds=1),
        **kwargs,
    )
    for name in STEP_ORDER:
        state = StepState.RUNNING if name == "transcode" else StepState.PENDING
        PipelineStep.objects.create(video=video, name=name, state=state, started_at=now)
    return video


def _new_video() -> Video:
    video = VideoFactory(status=VideoStatus.UPLOADED, published_at=None)
    for name in STEP_ORDER:
        PipelineStep.objects.create(video=video, name=name)
    return video


def test_reprocess_transcode_only_of_a_ready_video_ends_with_it_published_again(instant_steps):
    # It was left processing for good: out of the feed, nothing left for the sweep to send.
    video = _ready_video()

    call_command(
        "reprocess", str(video.pk), "--step", "transcode", "--only", "--sync", stdout=StringIO()
    )

    assert instant_steps == [("transcode", video.pk), ("publish", video.pk)]
    video.refresh_from_db()
    assert video.status == VideoStatus.READY


def test_reprocess_transcode_only_through_the_queue_ends_with_it_published_again(
    instant_steps,  # noqa: ANN001
    celery_eager,  # noqa: ANN001
) -> None:
    video = _ready_video()

    call_command("reprocess", str(video.pk), "--step", "transcode", "--only", stdout=StringIO())

    assert [name for name, _ in instant_steps] == ["transcode", "publish"]
    video.refresh_from_db()
    assert video.status == VideoStatus.READY


def test_an_only_run_of_a_failed_video_that_cannot_publish_fails_it_again_saying_why(
    instant_steps,  # noqa: ANN001
    monkeypatch,  # noqa: ANN001
) -> None:
    from videos.pipeline import steps as steps_module
    from videos.pipeline.local import pipeline_run

    monkeypatch.setitem(  # the real publish: this video has no rendition nor embedding
        steps_module.STEPS,
        "publish",
        steps_module.Step(steps_module.step_publish, needs=("embed",)),
    )
    video = _new_video()
    Video.objects.filter(pk=video.pk).update(status=VideoStatus.FAILED)

    video = pipeline_run(video_id=video.pk, from_step="transcode", only=True)

    assert instant_steps == [("transcode", video.pk)]
    assert video.status == VideoStatus.FAILED
    assert video.failure_reason == "publish: no playable rendition"


def test_a_re_embed_only_of_a_ready_video_keeps_it_in_the_feed_and_runs_no_publish(
    instant_steps,  # noqa: ANN001
) -> None:
    video = _ready_video()

    call_command(
        "reprocess", str(video.pk), "--step", "embed", "--only", "--sync", stdout=StringIO()
    )

    assert instant_steps == [("embed", video.pk)]
    video.refresh_from_db()
    assert video.status == VideoStatus.READY


def test_a_worker_killed_between_publish_and_ready_leaves_the_step_to_run_again(
    instant_steps,  # noqa: ANN001
    monkeypatch,  # noqa: ANN001
) -> None:
    from videos import tasks
    from videos.pipeline import policy

    now = timezone.now()
    video = VideoFactory(
        status=VideoStatus.PROCESSING,
        published_at=None,
        pipeline_requested_at=now,
        pipeline_queued_at=now,
    )
    for name in STEP_ORDER:
        state = StepState.PENDING if name == "publish" else StepState.DONE
        PipelineStep.objects.create(video=video, name=name, state=state)

    class WorkerKilled(BaseException):
        pass

    real = policy.video_set_status

    def killed(**kwargs) -> None:  # noqa: ANN003
        raise WorkerKilled

    monkeypatch.setattr(policy, "video_set_status", killed)
    with pytest.raises(WorkerKilled):
        tasks.publish.apply(args=(video.pk,), kwargs={"next_steps": []}, throw=True)
    monkeypatch.setattr(policy, "video_set_status", real)
    tasks.publish.apply(args=(video.pk,), kwargs={"next_steps": []}, throw=True)  # redelivered

    video.refresh_from_db()
    assert video.steps.get(name="publish").state == StepState.DONE
    assert video.status == VideoStatus.READY
    assert video.steps.get(name="publish").interrupted == 1


def test_reprocess_starts_no_second_chain_beside_a_re_embed_waiting_in_the_queue(
    sent,  # noqa: ANN001
    django_capture_on_commit_callbacks,  # noqa: ANN001
) -> None:
    video = _ready_video()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("reprocess", str(video.pk), "--step", "embed", stdout=StringIO())
    assert len(sent) == 1
    # Waiting out an embedder outage: nothing runs, the re-embed is pending in the queue.
    PipelineStep.objects.filter(video=video, name="embed").update(
        state=StepState.PENDING, attempts=1, last_error="embedder down (retry 1)"
    )
    out = StringIO()

    with django_capture_on_commit_callbacks(execute=True):
        call_command("reprocess", str(video.pk), "--step", "embed", stdout=out)

    assert len(sent) == 1
    assert f"skipped 1 being processed (--force to run them anyway): {video.pk}" in out.getvalue()


def test_an_in_process_run_of_a_video_deleted_during_it_ends_quietly(
    instant_steps,  # noqa: ANN001
    monkeypatch,  # noqa: ANN001
) -> None:
    from videos.pipeline import steps as steps_module
    from videos.pipeline.local import pipeline_run
    from videos.pipeline.outputs import TranscodeOutput
    from videos.services.videos import video_delete

    video = _new_video()

    def transcode_then_the_owner_deletes(v: Video) -> TranscodeOutput:
        video_delete(video=Video.objects.get(pk=v.pk))
        return TranscodeOutput(frames=["frame.jpg"])

    monkeypatch.setitem(
        steps_module.STEPS, "transcode", steps_module.Step(transcode_then_the_owner_deletes)
    )

    assert pipeline_run(video_id=video.pk) is None
    assert pipeline_run(video_id=video.pk) is None  # and one asked for after it went
    assert not Video.objects.filter(pk=video.pk).exists()


def test_editing_captions_while_the_video_is_processed_is_409_and_changes_nothing(
    client_for,  # noqa: ANN001
    sent,  # noqa: ANN001
    django_capture_on_commit_callbacks,  # noqa: ANN001
) -> None:
    # The edit's re-embed ran beside the transcode: it found no frames and failed the video,
    # or its chain's transcription wrote the recognised speech over the edit.
    owner = UserFactory()
    video = _video_being_transcoded(owner=owner, transcript="as recognised")

    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(owner).put(
            f"/api/videos/{video.pk}/captions", SEGMENTS, format="json"
        )

    assert response.status_code == 409
    assert response.json()["error"] == "video_processing"
    assert sent == []
    video.refresh_from_db()
    assert video.status == VideoStatus.PROCESSING
    assert video.transcript == "as recognised"


def test_editing_captions_beside_a_re_embed_waiting_in_the_queue_is_409(
    client_for,  # noqa: ANN001
    sent,  # noqa: ANN001
    django_capture_on_commit_callbacks,  # noqa: ANN001
) -> None:
    owner = UserFactory()
    video = _ready_video(owner=owner)
    with django_capture_on_commit_callbacks(execute=True):
        first = client_for(owner).put(f"/api/videos/{video.pk}/captions", SEGMENTS, format="json")
        second = client_for(owner).put(f"/api/videos/{video.pk}/captions", SEGMENTS, format="json")

    assert first.status_code == 200
    assert second.status_code == 409
    assert sent == [(video.pk, ["embed", "tag", "publish"])]


def test_the_sweep_and_an_upload_retry_never_both_resume_a_cut_short_run(
    sent,  # noqa: ANN001
    django_capture_on_commit_callbacks,  # noqa: ANN001
) -> None:
    from videos.pipeline.local import pipeline_interrupted
    from videos.pipeline.policy import pipeline_prepare

    video = _new_video()
    pipeline_prepare(video, list(STEP_ORDER), in_process=True)  # then its process died
    seen = Video.objects.get(pk=video.pk)  # an upload of the same file reads the video...
    assert pipeline_interrupted(seen)
    assert pipeline_sweep(now=timezone.now() + timedelta(days=1)) == 1  # ...the sweep sends it

    with django_capture_on_commit_callbacks(execute=True):
        started = pipeline_enqueue(video=seen, claim=True)  # ...and the upload claims it too

    assert not started
    assert len(sent) == 1
    swept = Video.objects.get(pk=video.pk)
    assert not pipeline_interrupted(swept)  # a run for the broker, not one in a process
