"""A video never stays processing forever: an upload while the task queue is down is accepted
and recorded, and the sweep sends it once the queue is back; a step whose task was lost with its
worker is sent again after every deadline has passed."""

from __future__ import annotations

import contextlib
import json
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from tests.conftest import child_env, django_script_json, free_port
from tests.support.run_locks import run_lock_held_elsewhere
from videos.models import STEP_ORDER, PipelineStep, StepState, Video, VideoStatus
from videos.tasks import pipeline_sweep

UPLOAD_SCRIPT = """
import django, json, sys
django.setup()
from django.test import Client
from profiles.models import User
client = Client()
client.force_login(User.objects.get(username=sys.argv[1]))
with open(sys.argv[2], "rb") as handle:
    response = client.post("/api/videos", {"file": handle, "caption": "a tone"})
print(json.dumps({"status": response.status_code, "body": response.json()}))
"""


def _upload_with_the_broker_down(username: str, path: Path) -> dict:
    """The web process of a deployment whose task queue server is down (nothing listens)."""
    env = child_env(
        DJANGO_SETTINGS_MODULE="tiktok.settings",
        CELERY_BROKER_URL=f"redis://127.0.0.1:{free_port()}/0",
        ALLOWED_HOSTS="testserver",
    )
    return django_script_json(UPLOAD_SCRIPT, username, str(path), env=env)


@pytest.mark.django_db(transaction=True)  # the uploading process is another one
def test_an_upload_while_the_queue_is_down_is_kept_and_sent_by_the_sweep(
    user,  # noqa: ANN001
    clip: Path,
    celery_eager,  # noqa: ANN001
    embedder,  # noqa: ANN001
) -> None:
    answer = _upload_with_the_broker_down(user.username, clip)
    assert answer["status"] == 201, answer
    video = Video.objects.get(pk=answer["body"]["id"])
    assert video.status == VideoStatus.PROCESSING
    assert video.pipeline_requested_at is not None and video.pipeline_queued_at is None
    assert set(video.steps.values_list("state", flat=True)) == {StepState.PENDING}

    # Within the grace period the run may still be on its way: left alone.
    assert pipeline_sweep() == 0
    later = timezone.now() + timedelta(seconds=settings.PIPELINE_SWEEP_GRACE_SECONDS + 1)
    assert pipeline_sweep(now=later) == 1
    video.refresh_from_db()
    assert video.status == VideoStatus.READY, video.failure_reason
    assert video.pipeline_queued_at is not None
    # Sent once: nothing is stuck any more.
    assert pipeline_sweep(now=later + timedelta(hours=1)) == 0


@pytest.mark.django_db
def test_a_step_running_past_every_deadline_is_sent_again_with_a_note() -> None:
    import redis

    from tests.factories import VideoFactory

    video = VideoFactory(
        status=VideoStatus.PROCESSING,
        pipeline_requested_at=timezone.now(),
        pipeline_queued_at=timezone.now(),
    )
    for name, state in [("transcode", StepState.DONE), ("transcribe", StepState.RUNNING)]:
        PipelineStep.objects.create(
            video=video, name=name, state=state, attempts=1, started_at=timezone.now()
        )
    for name in ("embed", "tag", "publish"):
        PipelineStep.objects.create(video=video, name=name, state=StepState.PENDING)

    assert pipeline_sweep(now=timezone.now() + timedelta(hours=1)) == 0
    assert pipeline_sweep(now=timezone.now() + timedelta(days=1)) == 1
    # Claimed when sent: the next sweeps leave it to the worker that will take it.
    assert pipeline_sweep(now=timezone.now() + timedelta(days=1, minutes=1)) == 0
    # The chain from the lost step is on the broker's queue (no worker runs in this test).
    queued = redis.Redis.from_url(settings.REDIS_URL).lrange("celery:celery", 0, -1)
    assert [json.loads(m)["headers"]["task"] for m in queued] == ["videos.transcribe"]
    assert json.loads(queued[0])["headers"]["argsrepr"] == f"({video.pk},)"
    note = video.steps.get(name="transcribe").last_error
    assert note == "queued again by the sweep: its worker and task were lost"


@pytest.mark.django_db
def test_a_run_in_a_live_process_is_never_swept_and_one_whose_process_is_gone_is() -> None:
    from tests.factories import VideoFactory
    from videos.pipeline.policy import pipeline_prepare

    video = VideoFactory(status=VideoStatus.PROCESSING)
    pipeline_prepare(video, ["transcode", "transcribe"], in_process=True)
    with run_lock_held_elsewhere(video.pk):
        assert pipeline_sweep(now=timezone.now() + timedelta(days=1)) == 0
    # Its process stopped (`ingest_folder --sync` and Ctrl-C): the lock went with its session.
    assert pipeline_sweep() == 0  # within the grace
    assert pipeline_sweep(now=timezone.now() + timedelta(days=1)) == 1
    note = video.steps.get(name="transcode").last_error
    assert note == "queued again by the sweep: the process running it stopped"
    assert pipeline_sweep(now=timezone.now() + timedelta(days=1, minutes=1)) == 0


@pytest.mark.django_db
def test_a_video_stored_by_a_process_that_stopped_before_asking_for_its_run_is_sent() -> None:
    from tests.factories import VideoFactory

    video = VideoFactory(status=VideoStatus.UPLOADED)
    for name in STEP_ORDER:
        PipelineStep.objects.create(video=video, name=name, state=StepState.PENDING)
    assert video.pipeline_requested_at is None

    assert pipeline_sweep() == 0  # within the grace: the process may be asking now
    assert pipeline_sweep(now=timezone.now() + timedelta(days=1)) == 1
    video.refresh_from_db()
    assert video.status == VideoStatus.PROCESSING
    assert video.pipeline_requested_at is not None and video.pipeline_queued_at is not None
    assert pipeline_sweep(now=timezone.now() + timedelta(days=1, minutes=1)) == 0


@pytest.mark.django_db
def test_a_run_the_sweep_asked_for_is_sent_again_when_the_broker_loses_it(sent) -> None:  # noqa: ANN001
    from tests.factories import VideoFactory

    video = VideoFactory(status=VideoStatus.UPLOADED, published_at=None)
    for name in STEP_ORDER:
        PipelineStep.objects.create(video=video, name=name)
    Video.objects.filter(pk=video.pk).update(created_at=timezone.now() - timedelta(hours=1))
    assert pipeline_sweep() == 1  # stored, and its processing never asked for
    video.refresh_from_db()
    assert video.pipeline_queued_at > video.pipeline_requested_at

    # The broker lost that message (a Redis crash before fsync): nothing ever ran.
    assert pipeline_sweep(now=timezone.now() + timedelta(days=1)) == 1
    assert [names for _, names in sent] == [list(STEP_ORDER), list(STEP_ORDER)]


class _ProcessKilled(BaseException):
    """Stands in for the OOM killer or a SIGKILL: nothing after it runs in the step."""


@pytest.mark.django_db
def test_a_step_that_kills_its_process_every_time_fails_the_video_after_the_cap(
    monkeypatch,  # noqa: ANN001
) -> None:
    """`ingest_folder --sync` (no worker) from cron: a file whose transcode gets the process
    killed is resumed by each next run over the folder, until the cap fails it."""
    from tests.factories import VideoFactory
    from videos.pipeline.local import pipeline_interrupted, pipeline_run
    from videos.pipeline.steps import STEPS, Step

    runs = []

    def killer(video):  # noqa: ANN001, ANN202
        runs.append(video.pk)
        raise _ProcessKilled

    monkeypatch.setitem(STEPS, "transcode", Step(killer))
    video = VideoFactory(status=VideoStatus.UPLOADED, published_at=None)
    for name in STEP_ORDER:
        PipelineStep.objects.create(video=video, name=name)
    for _ in range(5):  # five runs over the same folder
        video.refresh_from_db()
        if not pipeline_interrupted(video):
            break
        with contextlib.suppress(_ProcessKilled):
            pipeline_run(video_id=video.pk, claim_from=video.pipeline_requested_at)

    video.refresh_from_db()
    assert len(runs) == settings.PIPELINE_MAX_INTERRUPTIONS
    assert video.status == VideoStatus.FAILED
    assert "stopped 2 times without finishing" in video.failure_reason


@pytest.mark.django_db
def test_a_step_that_ended_starts_a_new_run_with_no_interruptions() -> None:
    from tests.factories import VideoFactory
    from videos.pipeline.policy import pipeline_prepare

    video = VideoFactory(status=VideoStatus.READY)
    for name in STEP_ORDER:
        PipelineStep.objects.create(video=video, name=name, state=StepState.DONE, interrupted=1)

    assert pipeline_prepare(video, list(STEP_ORDER))
    assert set(video.steps.values_list("interrupted", flat=True)) == {0}


def _failing_embed(video, transcoded):  # noqa: ANN001, ANN202
    from videos.pipeline.errors import StepPermanentError

    raise StepPermanentError("embedder refused the frames")


def _ready_video_whose_re_embed_fails(monkeypatch) -> Video:  # noqa: ANN001
    from tests.factories import VideoFactory
    from videos.pipeline.steps import STEPS, Step

    monkeypatch.setitem(STEPS, "embed", Step(_failing_embed, needs=("transcode",)))
    video = VideoFactory(status=VideoStatus.READY)
    for name in STEP_ORDER:
        PipelineStep.objects.create(
            video=video, name=name, state=StepState.DONE, detail={"embedding_version": "v1"}
        )
    return video


@pytest.mark.django_db
def test_a_re_embed_that_failed_on_a_ready_video_is_left_alone_by_the_sweep(
    sent,  # noqa: ANN001
    monkeypatch,  # noqa: ANN001
    django_capture_on_commit_callbacks,  # noqa: ANN001
) -> None:
    from videos import tasks
    from videos.pipeline.policy import step_run

    video = _ready_video_whose_re_embed_fails(monkeypatch)
    with django_capture_on_commit_callbacks(execute=True):  # reprocess --step embed
        assert tasks.pipeline_enqueue(video=video, from_step="embed")
    assert step_run(video_id=video.pk, name="embed", retries=None) is False
    sent.clear()

    assert pipeline_sweep(now=timezone.now() + timedelta(hours=3)) == 0, sent
    video.refresh_from_db()
    assert video.status == VideoStatus.READY
    tag, publish = video.steps.get(name="tag"), video.steps.get(name="publish")
    assert (tag.state, tag.last_error) == (StepState.SKIPPED, "not run: embed failed")
    assert publish.state == StepState.SKIPPED


@pytest.mark.django_db
def test_a_re_embed_that_failed_in_this_process_is_left_alone_by_the_sweep(
    sent,  # noqa: ANN001
    monkeypatch,  # noqa: ANN001
) -> None:
    from videos.pipeline.local import pipeline_run

    video = _ready_video_whose_re_embed_fails(monkeypatch)
    video = pipeline_run(video_id=video.pk, from_step="embed")  # reprocess --step embed --sync
    assert video.status == VideoStatus.READY

    later = timezone.now() + timedelta(seconds=settings.PIPELINE_SWEEP_GRACE_SECONDS + 5)
    assert pipeline_sweep(now=later) == 0, sent


@pytest.mark.django_db
def test_two_requests_that_find_a_video_cut_short_start_one_run(
    django_capture_on_commit_callbacks,  # noqa: ANN001
) -> None:
    # A double-submitted upload, or a second ingest run, finding the same video never asked
    # for (or failed) at the same moment: each read it before either asked for its run.
    import redis

    from tests.factories import VideoFactory
    from videos.pipeline.local import pipeline_run
    from videos.tasks import pipeline_enqueue

    video = VideoFactory(status=VideoStatus.UPLOADED)
    for name in STEP_ORDER:
        PipelineStep.objects.create(video=video, name=name, state=StepState.PENDING)
    first, second, third = (Video.objects.get(pk=video.pk) for _ in range(3))

    with django_capture_on_commit_callbacks(execute=True):  # sent once committed
        assert pipeline_enqueue(video=first, claim=True) is True
        assert pipeline_enqueue(video=second, claim=True) is False
    # Nor does a run in this process (ingest_folder --sync) of what it read before.
    assert pipeline_run(video_id=video.pk, claim_from=third.pipeline_requested_at).pk == video.pk
    assert set(video.steps.values_list("state", flat=True)) == {StepState.PENDING}

    queued = redis.Redis.from_url(settings.REDIS_URL).lrange("celery:celery", 0, -1)
    mine = [m for m in queued if json.loads(m)["headers"]["argsrepr"] == f"({video.pk},)"]
    assert len(mine) == 1


@pytest.mark.django_db
def test_a_run_in_this_process_holds_its_lock_while_it_runs(user, clip: Path, monkeypatch) -> None:  # noqa: ANN001
    import threading

    import videos.pipeline.steps as steps
    from videos.pipeline.errors import StepPermanentError
    from videos.pipeline.local import in_process_run_alive, pipeline_run
    from videos.services.videos import video_create_from_path

    seen: list[bool] = []

    def transcode(*_args, **_kwargs) -> None:  # noqa: ANN002, ANN003
        def ask() -> None:  # from another session, as another process would
            try:
                seen.append(in_process_run_alive(video.pk))
            finally:
                connection.close()

        thread = threading.Thread(target=ask)
        thread.start()
        thread.join()
        raise StepPermanentError("stopped here")

    monkeypatch.setattr(steps, "transcode", transcode)
    video, _ = video_create_from_path(owner=user, path=clip)
    assert pipeline_run(video_id=video.pk).status == VideoStatus.FAILED
    assert seen == [True]
    assert in_process_run_alive(video.pk) is False  # released when the run ended


@pytest.mark.django_db
def test_a_transcode_over_its_soft_limit_fails_with_that_reason(
    user,  # noqa: ANN001
    clip: Path,
    monkeypatch,  # noqa: ANN001
) -> None:
    # The soft limit arrives as an exception in whatever the step is doing (here: decoding).
    from celery.exceptions import SoftTimeLimitExceeded

    import videos.pipeline.steps as steps
    from videos.pipeline.policy import step_run
    from videos.services.videos import video_create_from_path

    def interrupted(*_args, **_kwargs) -> None:
        raise SoftTimeLimitExceeded()

    monkeypatch.setattr(steps, "transcode", interrupted)
    video, _ = video_create_from_path(owner=user, path=clip)
    assert step_run(video_id=video.pk, name="transcode") is False
    video.refresh_from_db()
    limit = settings.PIPELINE_STEP_TIME_LIMITS["transcode"]
    assert video.failure_reason == f"transcode: took longer than its time limit of {limit} s"


HANDOFF_SCRIPT = """
import django, json, sys
django.setup()
from videos.tasks import pipeline_handoff
pipeline_handoff(video_id=int(sys.argv[1]), names=sys.argv[2].split(","))
print(json.dumps({}))
"""


@pytest.mark.django_db(transaction=True)  # the handing-off process is another one
def test_a_broker_blip_between_steps_leaves_the_run_for_the_sweep(
    user,  # noqa: ANN001
    clip: Path,
    celery_eager,  # noqa: ANN001
    embedder,  # noqa: ANN001
) -> None:
    """The transcode ends while the queue is unreachable: the next step cannot be sent, so the
    run is recorded as not queued (it used to stall, processing forever) and the sweep sends
    the rest."""
    from videos.pipeline.policy import pipeline_prepare, step_run
    from videos.services.videos import video_create_from_path

    video, _ = video_create_from_path(owner=user, path=clip)
    pipeline_prepare(video, list(STEP_ORDER))
    Video.objects.filter(pk=video.pk).update(pipeline_queued_at=timezone.now())
    assert step_run(video_id=video.pk, name="transcode", retries=0)
    rest = ",".join(STEP_ORDER[1:])
    env = child_env(
        DJANGO_SETTINGS_MODULE="tiktok.settings",
        CELERY_BROKER_URL=f"redis://127.0.0.1:{free_port()}/0",
    )
    django_script_json(HANDOFF_SCRIPT, str(video.pk), rest, env=env)
    video.refresh_from_db()
    assert video.pipeline_queued_at is None and video.status == VideoStatus.PROCESSING

    later = timezone.now() + timedelta(seconds=settings.PIPELINE_SWEEP_GRACE_SECONDS + 1)
    assert pipeline_sweep(now=later) == 1
    video.refresh_from_db()
    assert video.status == VideoStatus.READY, video.failure_reason
    assert video.steps.get(name="transcode").attempts == 1  # not run again


@pytest.mark.django_db
def test_a_second_delivery_of_a_finished_step_is_not_run_again(
    user,  # noqa: ANN001
    clip: Path,
    celery_eager,  # noqa: ANN001
    embedder,  # noqa: ANN001
) -> None:
    from videos.services.videos import video_create_from_path
    from videos.tasks import pipeline_enqueue, transcode

    video, _ = video_create_from_path(owner=user, path=clip)
    pipeline_enqueue(video=video)
    video.refresh_from_db()
    assert video.status == VideoStatus.READY
    attempts = dict(video.steps.values_list("name", "attempts"))
    rest = list(STEP_ORDER[1:])
    # Its worker died after the step ended, before acknowledging it: delivered again.
    transcode.apply(args=(video.pk,), kwargs={"next_steps": rest})
    assert dict(video.steps.values_list("name", "attempts")) == attempts
    # Had the next step never been sent, the second delivery sends it.
    video.steps.filter(name="transcribe").update(state=StepState.PENDING, started_at=None)
    transcode.apply(args=(video.pk,), kwargs={"next_steps": rest})
    transcribe = video.steps.get(name="transcribe")
    assert (transcribe.state, transcribe.attempts) == (StepState.DONE, attempts["transcribe"] + 1)
    assert video.steps.get(name="transcode").attempts == attempts["transcode"]


@pytest.mark.django_db
def test_a_run_whose_next_message_was_lost_is_sent_again_once_no_broker_could_hold_it() -> None:
    """The transcode ended and handed the transcribe to the broker, which lost it (a crash
    between fsyncs): nothing runs, a step waits, and the last message is older than any broker
    keeps one unacknowledged."""
    import redis

    from tests.factories import VideoFactory

    handed_off = timezone.now()
    video = VideoFactory(
        status=VideoStatus.PROCESSING,
        pipeline_requested_at=handed_off - timedelta(minutes=1),
        pipeline_queued_at=handed_off,
    )
    PipelineStep.objects.create(video=video, name="transcode", state=StepState.DONE, attempts=1)
    for name in STEP_ORDER[1:]:
        PipelineStep.objects.create(video=video, name=name, state=StepState.PENDING)

    assert pipeline_sweep(now=handed_off + timedelta(minutes=30)) == 0  # may still be queued
    assert pipeline_sweep(now=handed_off + timedelta(days=1)) == 1
    queued = redis.Redis.from_url(settings.REDIS_URL).lrange("celery:celery", 0, -1)
    assert [json.loads(m)["headers"]["task"] for m in queued] == ["videos.transcribe"]
    assert pipeline_sweep(now=handed_off + timedelta(days=1, minutes=1)) == 0  # claimed


def _ready_video_being_re_embedded() -> Video:
    from tests.factories import VideoFactory

    video = VideoFactory(status=VideoStatus.READY)
    for name in STEP_ORDER:
        state = StepState.RUNNING if name == "embed" else StepState.DONE
        PipelineStep.objects.create(video=video, name=name, state=state)
    return video


@pytest.mark.django_db
def test_reprocess_skips_a_video_whose_run_is_going_on_and_names_it(sent) -> None:  # noqa: ANN001
    from io import StringIO

    from django.core.management import call_command

    busy = _ready_video_being_re_embedded()
    out = StringIO()

    call_command("reprocess", str(busy.pk), "--step", "embed", stdout=out)

    assert sent == []
    assert f"skipped 1 being processed (--force to run them anyway): {busy.pk}" in out.getvalue()
    assert busy.steps.get(name="embed").state == StepState.RUNNING


@pytest.mark.django_db
def test_reprocess_force_starts_a_run_beside_one_going_on(
    sent,  # noqa: ANN001
    django_capture_on_commit_callbacks,  # noqa: ANN001
) -> None:
    from io import StringIO

    from django.core.management import call_command

    busy = _ready_video_being_re_embedded()

    with django_capture_on_commit_callbacks(execute=True):
        call_command("reprocess", str(busy.pk), "--step", "embed", "--force", stdout=StringIO())

    assert sent == [(busy.pk, ["embed", "tag", "publish"])]


@pytest.mark.django_db
def test_the_admin_reprocess_action_skips_a_video_whose_run_is_going_on(
    sent,  # noqa: ANN001
    admin_client,  # noqa: ANN001
    django_capture_on_commit_callbacks,  # noqa: ANN001
) -> None:
    from tests.factories import VideoFactory

    busy = _ready_video_being_re_embedded()
    idle = VideoFactory(status=VideoStatus.FAILED)

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            "/admin/videos/video/",
            {"action": "reprocess", "_selected_action": [busy.pk, idle.pk]},
            follow=True,
        )

    assert [video_id for video_id, _ in sent] == [idle.pk]
    shown = [str(m) for m in response.context["messages"]]
    assert f"skipped 1 video(s) being processed: {busy.pk}" in shown
