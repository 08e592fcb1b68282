"""Step and video state transitions, each broadcast to the video's status websocket group."""

from __future__ import annotations

import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import IntegrityError
from django.db.models import Case, F, Value, When
from django.utils import timezone

from videos.models import PipelineStep, StepState, Video, VideoStatus
from videos.pipeline.errors import VideoGone
from videos.selectors.videos import video_status

logger = logging.getLogger(__name__)

MAX_ERROR_CHARS = 2000


def status_group(video_id: int) -> str:
    return f"video-status-{int(video_id)}"


def video_status_broadcast(*, video: Video) -> None:
    """Send {"type": "status", "video": {...}} to everyone watching this video's status. A
    missing channel layer never breaks the pipeline."""
    try:
        layer = get_channel_layer()
        if layer is None:
            return
        async_to_sync(layer.group_send)(
            status_group(video.pk), {"type": "status", "video": video_status(video=video)}
        )
    except Exception as exc:  # noqa: BLE001 - status pushes are best effort
        logger.warning("status broadcast for video %s failed: %s", video.pk, exc)


def step_get(*, video: Video, name: str) -> PipelineStep:
    """The video's row for this step, made if missing; VideoGone when the video was deleted."""
    try:
        step, _ = PipelineStep.objects.get_or_create(video=video, name=name)
    except IntegrityError:
        if not Video.objects.filter(pk=video.pk).exists():
            raise VideoGone(f"video {video.pk} was deleted") from None
        raise
    return step


def _step_save(step: PipelineStep, fields: list[str]) -> None:
    """Write these fields of the step; VideoGone when its row went with a deleted video (a
    save(update_fields=...) would raise DatabaseError and crash the task)."""
    values = {field: getattr(step, field) for field in fields}
    if not PipelineStep.objects.filter(pk=step.pk).update(**values):
        raise VideoGone(f"video {step.video_id} was deleted")


def step_start(*, video: Video, name: str) -> PipelineStep:
    step = step_get(video=video, name=name)
    if step.state == StepState.RUNNING:
        step.interrupted += 1  # the last attempt never finished: this is a redelivery
    step.state = StepState.RUNNING
    step.attempts += 1
    step.started_at = timezone.now()
    step.finished_at = None
    step.duration_s = None
    _step_save(
        step, ["state", "attempts", "interrupted", "started_at", "finished_at", "duration_s"]
    )
    video_status_broadcast(video=video)
    return step


def step_finish(
    *,
    video: Video,
    step: PipelineStep,
    state: str,
    error: str = "",
    detail: dict | None = None,
) -> PipelineStep:
    """Record how a step attempt ended; `state` pending means "will retry"."""
    now = timezone.now()
    step.state = state
    step.last_error = (error or "")[:MAX_ERROR_CHARS]
    if detail is not None:
        step.detail = detail
    step.finished_at = now
    if step.started_at is not None:
        step.duration_s = (now - step.started_at).total_seconds()
    _step_save(step, ["state", "last_error", "detail", "finished_at", "duration_s"])
    video_status_broadcast(video=video)
    return step


def step_note(*, video: Video, name: str, note: str) -> None:
    """Say something about a step that has not run yet (kept until it runs)."""
    PipelineStep.objects.filter(video=video, name=name).update(last_error=note[:MAX_ERROR_CHARS])
    video_status_broadcast(video=video)


def steps_reset(*, video: Video, names: list[str]) -> None:
    """Mark steps pending again before a (re)run. A step left running never finished (the process
    running it was killed: `ingest_folder --sync` under the OOM killer) and counts an
    interruption, as a redelivered task does; a step that has not ended since keeps its count, so
    taking an interrupted run up again and again still reaches PIPELINE_MAX_INTERRUPTIONS. Only a
    step that ended starts again from none."""
    for name in names:
        step_get(video=video, name=name)
    video.steps.filter(name__in=names).update(
        state=StepState.PENDING,
        interrupted=Case(
            When(state=StepState.RUNNING, then=F("interrupted") + 1),
            When(state=StepState.PENDING, then=F("interrupted")),
            default=Value(0),
            output_field=PipelineStep._meta.get_field("interrupted"),
        ),
        last_error="",
        started_at=None,
        finished_at=None,
        duration_s=None,
    )


def steps_skip(*, video: Video, names: list[str], note: str) -> None:
    """Mark the pending ones of these steps skipped with `note`: the run will not reach them
    (and the sweep, which sends pending steps, must not either)."""
    video.steps.filter(name__in=names, state=StepState.PENDING).update(
        state=StepState.SKIPPED, last_error=note[:MAX_ERROR_CHARS], finished_at=timezone.now()
    )
    video_status_broadcast(video=video)


def video_set_status(*, video: Video, status: str, failure_reason: str = "") -> None:
    """Set the video's status (and its publication time when it first becomes ready);
    VideoGone when it was deleted."""
    video.status = status
    video.failure_reason = failure_reason[:MAX_ERROR_CHARS]
    fields = ["status", "failure_reason"]
    if status == VideoStatus.READY and video.published_at is None:
        video.published_at = timezone.now()
        fields.append("published_at")
    if not Video.objects.filter(pk=video.pk).update(**{f: getattr(video, f) for f in fields}):
        raise VideoGone(f"video {video.pk} was deleted")
    video_status_broadcast(video=video)
