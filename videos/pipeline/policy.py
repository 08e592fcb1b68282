"""What running one pipeline step means, for the Celery tasks and for in-process runs alike:
state transitions, which errors are retried, which failures still publish, and what publishing
announces."""

from __future__ import annotations

import logging

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from tiktok.storage import StorageObjectMissing, StorageUnavailable
from videos.events import video_failed_announce, video_published_announce
from videos.models import STEP_ORDER, PipelineStep, StepName, StepState, Video, VideoStatus
from videos.pipeline.errors import (
    StepOutage,
    StepPermanentError,
    StepSkipped,
    StepTransientError,
    VideoGone,
    worker_trouble,
)
from videos.pipeline.outputs import StepOutput
from videos.pipeline.progress import (
    step_finish,
    step_start,
    steps_reset,
    steps_skip,
    video_set_status,
)
from videos.pipeline.steps import OPTIONAL_STEPS, OUTPUT_TYPES, STEPS

logger = logging.getLogger(__name__)

# Retries of a step that failed for a reason of its own (a read timeout, a 500): a few.
MAX_STEP_RETRIES = 5


def retry_countdown_s(retries: int) -> float:
    """Exponential backoff before retry number `retries + 1`: PIPELINE_RETRY_BASE_SECONDS
    doubling (5, 10, 20, 40, 80 ... by default), capped at PIPELINE_RETRY_MAX_SECONDS."""
    base, cap = settings.PIPELINE_RETRY_BASE_SECONDS, settings.PIPELINE_RETRY_MAX_SECONDS
    return min(cap, base * 2 ** min(retries, 40))


def outage_retry_limit() -> int:
    """How many retries cover PIPELINE_OUTAGE_MAX_WAIT_SECONDS of backoff: a step waiting out an
    outage gives up only after at least that long (6 hours by default)."""
    waited, retries = 0.0, 0
    while waited < settings.PIPELINE_OUTAGE_MAX_WAIT_SECONDS:
        waited += retry_countdown_s(retries)
        retries += 1
    return max(retries, MAX_STEP_RETRIES)


def retry_allowed(error: Exception, retries: int | None) -> bool:
    """Whether a step that raised `error` after `retries` retries (None: no retry possible) is
    tried again: an outage for as long as outages last, any other transient error a few times."""
    if retries is None:
        return False
    limit = outage_retry_limit() if isinstance(error, StepOutage) else MAX_STEP_RETRIES
    return retries < limit


def steps_from(from_step: str, *, only: bool = False) -> list[str]:
    if from_step not in STEP_ORDER:
        raise ValueError(f"unknown step {from_step!r}; steps are {', '.join(STEP_ORDER)}")
    names = STEP_ORDER[STEP_ORDER.index(from_step) :]
    return names[:1] if only else names


def _stays_ready(video: Video, names: list[str]) -> bool:
    """Whether a run of these steps leaves the video in the feed while it runs: a re-embed or
    re-tag of a ready video does; anything else shows it as processing until publish."""
    return video.status == VideoStatus.READY and StepName.TRANSCODE not in names


def run_steps(video: Video, from_step: str, *, only: bool = False) -> list[str]:
    """The steps of a run from `from_step` on, or of just that step (`only`). A run that shows
    the video as processing ends with publish, which alone makes it ready again (or fails it,
    saying why): `reprocess --step transcode --only` of a ready video left it processing for
    good, out of the feed, with no step left for the sweep to send."""
    names = steps_from(from_step, only=only)
    if StepName.PUBLISH not in names and not _stays_ready(video, names):
        names.append(StepName.PUBLISH)
    return names


def step_inputs(video: Video, name: str) -> list[StepOutput]:
    """The stored outputs of the earlier steps this step takes, typed."""
    needs = STEPS[name].needs
    details = dict(
        PipelineStep.objects.filter(video=video, name__in=needs).values_list("name", "detail")
    )
    return [OUTPUT_TYPES[need].from_detail(details.get(need) or {}) for need in needs]


FINISHED_STATES = (StepState.DONE, StepState.SKIPPED, StepState.FAILED)


def step_finished(*, video_id: int, name: str) -> bool:
    """Whether this step of the video's current run has ended (done, skipped or failed)."""
    return PipelineStep.objects.filter(
        video_id=video_id, name=name, state__in=FINISHED_STATES
    ).exists()


def step_carries_on(*, video_id: int, name: str) -> bool:
    """Whether the run went on after this ended step: done, skipped, or an optional step that
    failed (a required step that failed ends the run)."""
    step = PipelineStep.objects.filter(video_id=video_id, name=name).values_list("state").first()
    if step is None:
        return False
    return step[0] in (StepState.DONE, StepState.SKIPPED) or (
        step[0] == StepState.FAILED and name in OPTIONAL_STEPS
    )


def step_untouched(*, video_id: int, name: str) -> bool:
    """Whether this step is pending and has not been started in the current run."""
    return PipelineStep.objects.filter(
        video_id=video_id, name=name, state=StepState.PENDING, started_at__isnull=True
    ).exists()


def step_run(*, video_id: int, name: str, retries: int | None = None) -> bool:
    """Run one step for a video and record the outcome. Returns False when the video is gone
    (deleted before or while the step ran: a no-op) or has failed (later steps then do nothing).
    Raises StepTransientError (StepOutage for an outage) when the step should be retried later:
    `retries` is how many retries it has had (None: this is the last try), and `retry_allowed`
    decides."""
    video = Video.objects.filter(pk=video_id).first()
    if video is None:
        return False
    if video.status == VideoStatus.FAILED:
        return False
    try:
        return _step_run(video, name, retries)
    except VideoGone:
        logger.info("video %s was deleted during its %s step: nothing recorded", video_id, name)
        return False


def _step_run(video: Video, name: str, retries: int | None) -> bool:
    step = step_start(video=video, name=name)
    if step.interrupted >= settings.PIPELINE_MAX_INTERRUPTIONS:
        return _step_failed(
            video,
            step,
            name,
            f"the worker running this step stopped {step.interrupted} times without finishing "
            "(killed, out of memory or over its hard time limit); not tried again",
        )
    try:
        output = STEPS[name].run(video, *step_inputs(video, name))
    except SoftTimeLimitExceeded:
        limit = settings.PIPELINE_STEP_TIME_LIMITS[name]
        return _step_failed(video, step, name, f"took longer than its time limit of {limit} s")
    except StepSkipped as exc:
        step_finish(video=video, step=step, state=StepState.SKIPPED, error=str(exc))
        return True
    except StorageObjectMissing as exc:
        # The store answered: the file is not there. Waiting will not bring it back.
        return _step_failed(video, step, name, f"a stored file is missing: {exc}")
    except (StepTransientError, StorageUnavailable, OSError, MemoryError) as exc:
        # The object store being down is an outage like the embedder's: waited out, not a fault
        # of the video; so is the worker's disk failing, and its memory running out is retried.
        if isinstance(exc, StorageUnavailable):
            error = StepOutage(str(exc))
        elif isinstance(exc, StepTransientError):
            error = exc
        else:
            error = worker_trouble(exc)
            if error is None:
                return _step_crashed(video, step, name, exc)
        if retry_allowed(error, retries):
            note = "waiting for it to come back" if isinstance(error, StepOutage) else "retrying"
            step_finish(
                video=video,
                step=step,
                state=StepState.PENDING,
                error=f"{error} ({note}: retry {retries + 1})",
            )
            raise error from exc
        return _step_failed(video, step, name, f"gave up after {step.attempts} attempts: {error}")
    except StepPermanentError as exc:
        return _step_failed(video, step, name, str(exc))
    except VideoGone:
        raise
    except Exception as exc:  # noqa: BLE001 - one bad video never takes the worker down
        return _step_crashed(video, step, name, exc)
    # The step's end and the video's status are one write: a worker killed between the two
    # left publish done and the video processing for good (its redelivery found the step
    # ended, and no sweep rule takes a run with nothing left to run).
    with transaction.atomic():
        step_finish(video=video, step=step, state=StepState.DONE, detail=output.as_detail())
        if name == StepName.PUBLISH:
            video_set_status(video=video, status=VideoStatus.READY)
            video_published_announce(video_id=video.pk)
    return True


def _step_crashed(video: Video, step: PipelineStep, name: str, exc: BaseException) -> bool:
    logger.exception("step %s of video %s crashed", name, video.pk, exc_info=exc)
    return _step_failed(video, step, name, f"{type(exc).__name__}: {exc}")


def _step_failed(video: Video, step: PipelineStep, name: str, error: str) -> bool:
    with transaction.atomic():  # the step's end and what it does to the video, as one write
        step_finish(video=video, step=step, state=StepState.FAILED, error=error)
        if name in OPTIONAL_STEPS:
            return True  # publish without a transcript / without tags
        if video.status == VideoStatus.READY:
            # A failed re-embed keeps the published video (and its old vectors) in the feed. The
            # run ends here on purpose: its later steps say so, and are not left pending for the
            # sweep.
            later = STEP_ORDER[STEP_ORDER.index(name) + 1 :]
            steps_skip(video=video, names=later, note=f"not run: {name} failed")
            return False
        video_set_status(video=video, status=VideoStatus.FAILED, failure_reason=f"{name}: {error}")
        video_failed_announce(video_id=video.pk)
    return False


def pipeline_in_progress(video: Video) -> bool:
    """Whether a run of this video is going on (processing, or a step of a re-run of a ready
    video running, queued or waiting to be retried through an outage: a ready video has a step
    pending only in a run): a person asking for another one would start a second chain beside
    it."""
    if video.status == VideoStatus.PROCESSING:
        return True
    going_on = [StepState.RUNNING]
    if video.status == VideoStatus.READY:
        going_on.append(StepState.PENDING)
    return PipelineStep.objects.filter(video=video, state__in=going_on).exists()


def pipeline_prepare(
    video: Video, names: list[str], *, in_process: bool = False, claim: bool = False
) -> bool:
    """Mark the steps pending before a (re)run; the video shows as processing unless it is a
    re-embed or re-tag of a ready video, which stays in the feed while it runs. A run for the
    broker is recorded as not yet queued (the sweep sends it if it never gets there); one run
    `in_process` is taken at once. With `claim` the run is asked for only if no other one was
    since `video` was read (its `pipeline_requested_at` is still the same: two requests that
    both found the video failed or cut short start one run); False when another was."""
    now = timezone.now()
    queued_at = now if in_process else None
    runs = Video.objects.filter(pk=video.pk)
    if claim:
        runs = runs.filter(pipeline_requested_at=video.pipeline_requested_at)
    if not runs.update(pipeline_requested_at=now, pipeline_queued_at=queued_at):
        return False
    video.pipeline_requested_at, video.pipeline_queued_at = now, queued_at
    try:
        steps_reset(video=video, names=names)
        if not _stays_ready(video, names):
            video_set_status(video=video, status=VideoStatus.PROCESSING)
    except VideoGone:
        return False  # deleted meanwhile: nothing to run
    return True
