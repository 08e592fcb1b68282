"""Celery wiring of the pipeline: one thin task per step, retried with backoff when transient,
and the chain that runs them in order (`pipeline_enqueue`)."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

import kombu.exceptions
import redis.exceptions
from celery import Task, shared_task
from celery.exceptions import Reject
from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from videos.models import STEP_ORDER, StepName, StepState, Video, VideoStatus
from videos.pipeline.errors import StepTransientError
from videos.pipeline.local import in_process_run_alive
from videos.pipeline.policy import (
    MAX_STEP_RETRIES,
    pipeline_prepare,
    retry_countdown_s,
    run_steps,
    step_carries_on,
    step_finished,
    step_run,
    step_untouched,
)

# How a step waits for the embedder or the object store (retries, their backoff, the longest
# outage waited out) is the pipeline policy's: the tasks retry without a count of their own.
from videos.pipeline.progress import step_note

logger = logging.getLogger(__name__)

# How far before it is queued the sweep asks for a run it sends again, and how many candidate
# rows it reads at a time.
SWEEP_REQUEST_LEAD = timedelta(microseconds=1)
SWEEP_BATCH = 500

# What publishing a task raises when the broker is down.
BROKER_ERRORS = (kombu.exceptions.KombuError, redis.exceptions.RedisError, OSError)


def _step_options(name: str) -> dict:
    """Retries, late acknowledgement and the step's soft and hard time limits."""
    soft = settings.PIPELINE_STEP_TIME_LIMITS[name]
    return {
        "max_retries": None,  # step_run decides (videos/pipeline/policy.py)
        "acks_late": True,
        # Killed at the hard limit: handed out again (and counted as an interruption), not
        # acknowledged as if it had ended.
        "acks_on_timeout": False,
        "soft_time_limit": soft,
        "time_limit": soft + settings.PIPELINE_HARD_LIMIT_GRACE_SECONDS,
    }


def _run_step(task: Task, video_id: int, name: str, next_steps: list[str]) -> int:
    """Run one step, then hand the run's next step to the broker (each step sends the next, so
    a broker blip between steps leaves the run recorded for the sweep, not stalled)."""
    if step_finished(video_id=video_id, name=name):
        # A second delivery of a step that ended (its worker died before acknowledging it): not
        # run again; its successor is sent if the run goes on from here and it never started.
        if (
            next_steps
            and step_carries_on(video_id=video_id, name=name)
            and step_untouched(video_id=video_id, name=next_steps[0])
        ):
            pipeline_handoff(video_id=video_id, names=next_steps)
        return video_id
    if task.request.is_eager:
        # Eager mode (tests, dev without a worker) propagates Retry instead of re-running the
        # task; retry in place, without the backoff.
        for attempt in range(MAX_STEP_RETRIES + 1):
            try:
                retries = attempt if attempt < MAX_STEP_RETRIES else None
                carry_on = step_run(video_id=video_id, name=name, retries=retries)
                break
            except StepTransientError:
                continue
    else:
        retries = task.request.retries
        try:
            carry_on = step_run(video_id=video_id, name=name, retries=retries)
        except StepTransientError as exc:
            try:
                retry = task.retry(exc=exc, countdown=retry_countdown_s(retries), throw=False)
            except Reject:
                # The broker would not take the retry: the run waits for the sweep.
                pipeline_unqueued(video_id=video_id)
                return video_id
            pipeline_queued(video_id=video_id)
            raise retry from exc
    if carry_on and next_steps:
        pipeline_handoff(video_id=video_id, names=next_steps)
    return video_id


@shared_task(bind=True, name="videos.transcode", **_step_options(StepName.TRANSCODE))
def transcode(self: Task, video_id: int, next_steps: list[str] | None = None) -> int:
    return _run_step(self, video_id, StepName.TRANSCODE, next_steps or [])


@shared_task(bind=True, name="videos.transcribe", **_step_options(StepName.TRANSCRIBE))
def transcribe(self: Task, video_id: int, next_steps: list[str] | None = None) -> int:
    return _run_step(self, video_id, StepName.TRANSCRIBE, next_steps or [])


@shared_task(bind=True, name="videos.embed", **_step_options(StepName.EMBED))
def embed(self: Task, video_id: int, next_steps: list[str] | None = None) -> int:
    return _run_step(self, video_id, StepName.EMBED, next_steps or [])


@shared_task(bind=True, name="videos.tag", **_step_options(StepName.TAG))
def tag(self: Task, video_id: int, next_steps: list[str] | None = None) -> int:
    return _run_step(self, video_id, StepName.TAG, next_steps or [])


@shared_task(bind=True, name="videos.publish", **_step_options(StepName.PUBLISH))
def publish(self: Task, video_id: int, next_steps: list[str] | None = None) -> int:
    return _run_step(self, video_id, StepName.PUBLISH, next_steps or [])


STEP_TASKS = {
    StepName.TRANSCODE: transcode,
    StepName.TRANSCRIBE: transcribe,
    StepName.EMBED: embed,
    StepName.TAG: tag,
    StepName.PUBLISH: publish,
}


def pipeline_enqueue(
    *, video: Video, from_step: str = StepName.TRANSCODE, only: bool = False, claim: bool = False
) -> bool:
    """Start the Celery chain for a video (from a step, or just that step). The run is recorded
    first; if the broker cannot take the chain now, `pipeline_sweep` sends it later. With
    `claim`, only if no run was asked for since `video` was read (pipeline_prepare); returns
    whether this call started one."""
    names = run_steps(video, from_step, only=only)
    if not pipeline_prepare(video, names, claim=claim):
        return False
    video_id = video.pk
    if connection.in_atomic_block and not settings.CELERY_TASK_ALWAYS_EAGER:
        # A worker must not pick the job up before the video row is committed.
        transaction.on_commit(lambda: pipeline_send(video_id=video_id, names=names))
    else:
        pipeline_send(video_id=video_id, names=names)
    return True


def _send_step(*, video_id: int, names: list[str]) -> bool:
    """Hand the first of these steps to the broker, carrying the rest (it sends the next when
    it is done); False (logged) when the broker is unreachable."""
    try:
        STEP_TASKS[names[0]].apply_async(args=(video_id,), kwargs={"next_steps": names[1:]})
    except BROKER_ERRORS as exc:
        logger.warning(
            "video %s: the task queue is unreachable (%s); the sweep will send it", video_id, exc
        )
        return False
    return True


def pipeline_send(*, video_id: int, names: list[str], now: datetime | None = None) -> bool:
    """Start a run of these steps and record that the broker took it (at `now`); False when the
    broker is unreachable - the run stays recorded for the sweep."""
    if not _send_step(video_id=video_id, names=names):
        return False
    pipeline_queued(video_id=video_id, now=now)
    return True


def pipeline_handoff(*, video_id: int, names: list[str]) -> None:
    """Send a run's next step from the task that finished the one before; if the broker cannot
    take it, the run is recorded as not queued and the sweep sends the rest after its grace."""
    if _send_step(video_id=video_id, names=names):
        pipeline_queued(video_id=video_id)
    else:
        pipeline_unqueued(video_id=video_id)


def pipeline_queued(*, video_id: int, now: datetime | None = None) -> None:
    """Record that the broker took the run's next message (now, or at `now`): a run whose last
    message is older than any worker could hold it, with nothing running, is sent again by the
    sweep."""
    Video.objects.filter(pk=video_id).update(pipeline_queued_at=now or timezone.now())


def pipeline_unqueued(*, video_id: int) -> None:
    """Record that the rest of a run is in no queue (the broker refused it): the sweep sends its
    pending steps PIPELINE_SWEEP_GRACE_SECONDS from now."""
    Video.objects.filter(pk=video_id).update(
        pipeline_queued_at=None, pipeline_requested_at=timezone.now()
    )


@shared_task(name="videos.pipeline_sweep")
def pipeline_sweep_task() -> int:
    return pipeline_sweep()


def pipeline_sweep(*, now: datetime | None = None) -> int:
    """Send again the runs that are stuck: requested over PIPELINE_SWEEP_GRACE_SECONDS ago and
    never taken by the broker, or with a step running longer than any worker could (its hard
    time limit plus the broker's visibility timeout: the task was lost with its worker and its
    queue), or left by a process that ran it itself and stopped (`ingest_folder --sync`), or
    stored by one that stopped before asking for it. Each gets a note on its first step (the
    admin and the status websocket show it).
    Returns how many runs were sent."""
    now = now or timezone.now()
    grace = timedelta(seconds=settings.PIPELINE_SWEEP_GRACE_SECONDS)
    never_sent = Video.objects.filter(
        pipeline_queued_at__isnull=True, pipeline_requested_at__lt=now - grace
    ).exclude(status=VideoStatus.FAILED)
    lost_after = timedelta(
        seconds=settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
        + max(settings.PIPELINE_STEP_TIME_LIMITS.values())
        + settings.PIPELINE_HARD_LIMIT_GRACE_SECONDS
    )
    lost = Video.objects.filter(
        steps__state=StepState.RUNNING,
        steps__started_at__lt=now - lost_after,
        pipeline_queued_at__lt=now - lost_after,
    ).exclude(status=VideoStatus.FAILED)
    # Nothing running, a step still to run, and the run's last message (a hand-off or a retry)
    # older than any broker keeps one unacknowledged: it was lost (a Redis crash between fsyncs,
    # a worker that could not read it). Runs in a process are stamped queued at the moment
    # they are asked for, and judged by that process's lock (below).
    stalled = (
        Video.objects.filter(
            steps__state=StepState.PENDING,
            pipeline_queued_at__lt=now - lost_after,
            pipeline_queued_at__gt=F("pipeline_requested_at"),
        )
        .exclude(steps__state=StepState.RUNNING)
        .exclude(status=VideoStatus.FAILED)
    )
    # A run in a process that is gone (`ingest_folder --sync` stopped by Ctrl-C) with steps left:
    # that process's lock on the video is free.
    in_process = (
        Video.objects.filter(
            steps__state__in=[StepState.PENDING, StepState.RUNNING],
            pipeline_queued_at=F("pipeline_requested_at"),
            pipeline_requested_at__lt=now - grace,
        )
        .exclude(status=VideoStatus.FAILED)
        .values_list("pk", flat=True)
        .distinct()
    )
    orphaned = [pk for pk in in_process if not in_process_run_alive(pk)]
    # Stored, and the process stopped before asking for its run.
    never_asked = Video.objects.filter(
        status=VideoStatus.UPLOADED,
        pipeline_requested_at__isnull=True,
        created_at__lt=now - grace,
    )
    sent = 0
    candidates = never_sent | lost | stalled | Video.objects.filter(pk__in=orphaned) | never_asked
    # A batch at a time and without the transcripts: after a broker loss with a large backlog,
    # every row whole (transcripts and their timed segments) was held at once.
    rows = candidates.distinct().defer("transcript", "transcript_segments")
    for video in rows.iterator(chunk_size=SWEEP_BATCH):
        states = dict(video.steps.values_list("name", "state"))
        names = [n for n in STEP_ORDER if states.get(n) in (StepState.PENDING, StepState.RUNNING)]
        if not names:
            continue
        if video.pipeline_requested_at is None:
            reason = "it was stored but its processing was never asked for"
        elif video.pipeline_queued_at is None:
            reason = "the task queue was unreachable when this run was asked for"
        elif video.pk in orphaned:
            reason = "the process running it stopped"
        else:
            reason = "its worker and task were lost"
        # Claimed first, so two sweeps at once (or the next one) never send it twice, and asked
        # for anew: an upload retry or a second `ingest_folder` that read the video before claims
        # on `pipeline_requested_at`, and resumed a cut-short run beside the sweep's. Asked for a
        # moment before it is queued (a run queued at its request's very time is one in a
        # process: pipeline_interrupted).
        claimed = Video.objects.filter(
            pk=video.pk,
            pipeline_queued_at=video.pipeline_queued_at,
            pipeline_requested_at=video.pipeline_requested_at,
        ).update(pipeline_queued_at=now, pipeline_requested_at=now - SWEEP_REQUEST_LEAD)
        if not claimed:
            continue
        sent_at = now
        if video.pipeline_requested_at is None:
            pipeline_prepare(video, names)
            # Stamped queued after the request pipeline_prepare just stamped (the clock's time,
            # later than the sweep's `now`): a run queued before it was asked for matched no rule
            # again, and stayed processing forever if the broker lost its message.
            sent_at = max(now, timezone.now())
        step_note(video=video, name=names[0], note=f"queued again by the sweep: {reason}")
        if pipeline_send(video_id=video.pk, names=names, now=sent_at):
            sent += 1
        else:
            Video.objects.filter(pk=video.pk).update(pipeline_queued_at=video.pipeline_queued_at)
    return sent


@shared_task(name="videos.media_orphans_sweep", ignore_result=True)
def media_orphans_sweep_task() -> int:
    """Delete the stored files no row refers to (videos/services/media_orphans.py), older than
    an hour: what deletions the store refused for hours, or a crash, left behind."""
    from videos.services.media_orphans import media_orphans_delete, media_orphans_find

    removed = media_orphans_delete(media_orphans_find())
    if removed:
        logger.info("media orphans sweep deleted %d file(s)", removed)
    return removed
