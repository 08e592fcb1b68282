"""Celery wiring of the pipeline: one thin task per step, retried with backoff when transient,
and the chain that runs them in order (`pipeline_enqueue`)."""

from __future__ import annotations

from celery import Task, chain, shared_task
from django.conf import settings
from django.db import connection, transaction

from videos.models import StepName, Video
from videos.pipeline.errors import StepTransientError
from videos.pipeline.policy import (
    MAX_STEP_RETRIES,
    pipeline_prepare,
    retry_countdown_s,
    step_run,
    steps_from,
)


def _run_step(task: Task, video_id: int, name: str) -> int:
    if task.request.is_eager:
        # Eager mode (tests, dev without a worker) propagates Retry instead of re-running the
        # task; retry in place, without the backoff.
        for attempt in range(MAX_STEP_RETRIES + 1):
            try:
                step_run(video_id=video_id, name=name, final_attempt=attempt == MAX_STEP_RETRIES)
                break
            except StepTransientError:
                continue
        return video_id
    try:
        step_run(
            video_id=video_id, name=name, final_attempt=task.request.retries >= MAX_STEP_RETRIES
        )
    except StepTransientError as exc:
        raise task.retry(exc=exc, countdown=retry_countdown_s(task.request.retries)) from exc
    return video_id


@shared_task(bind=True, name="videos.transcode", max_retries=MAX_STEP_RETRIES, acks_late=True)
def transcode(self: Task, video_id: int) -> int:
    return _run_step(self, video_id, StepName.TRANSCODE)


@shared_task(bind=True, name="videos.transcribe", max_retries=MAX_STEP_RETRIES, acks_late=True)
def transcribe(self: Task, video_id: int) -> int:
    return _run_step(self, video_id, StepName.TRANSCRIBE)


@shared_task(bind=True, name="videos.embed", max_retries=MAX_STEP_RETRIES, acks_late=True)
def embed(self: Task, video_id: int) -> int:
    return _run_step(self, video_id, StepName.EMBED)


@shared_task(bind=True, name="videos.tag", max_retries=MAX_STEP_RETRIES, acks_late=True)
def tag(self: Task, video_id: int) -> int:
    return _run_step(self, video_id, StepName.TAG)


@shared_task(bind=True, name="videos.publish", max_retries=MAX_STEP_RETRIES, acks_late=True)
def publish(self: Task, video_id: int) -> int:
    return _run_step(self, video_id, StepName.PUBLISH)


STEP_TASKS = {
    StepName.TRANSCODE: transcode,
    StepName.TRANSCRIBE: transcribe,
    StepName.EMBED: embed,
    StepName.TAG: tag,
    StepName.PUBLISH: publish,
}


def pipeline_enqueue(
    *, video: Video, from_step: str = StepName.TRANSCODE, only: bool = False
) -> None:
    """Start the Celery chain for a video (from a step, or just that step)."""
    names = steps_from(from_step, only=only)
    pipeline_prepare(video, names)
    signature = chain(*[STEP_TASKS[name].si(video.pk) for name in names])
    if connection.in_atomic_block and not settings.CELERY_TASK_ALWAYS_EAGER:
        # A worker must not pick the job up before the video row is committed.
        transaction.on_commit(signature.apply_async)
    else:
        signature.apply_async()
