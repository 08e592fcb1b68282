"""The processing pipeline of a video: transcode -> transcribe -> embed -> tag -> publish.

`pipeline_enqueue` starts it as a Celery chain (one task per step); `pipeline_run` runs the
same steps in this process (tests, evaluations, benchmarks). `step_run` holds the policy both
share: state transitions, retries of transient errors, graceful degradation.
"""

from __future__ import annotations

import logging
import time

from celery import chain
from django.conf import settings
from django.db import connection, transaction

from feed.tasks import lists_refresh_soon
from videos.models import StepName, StepState, Video, VideoStatus
from videos.services import STEP_ORDER
from videos.services.errors import StepPermanentError, StepSkipped, StepTransientError
from videos.services.progress import step_finish, step_start, steps_reset, video_set_status
from videos.services.steps import OPTIONAL_STEPS, STEP_FUNCTIONS

logger = logging.getLogger(__name__)

MAX_STEP_RETRIES = 5
RETRY_BASE_SECONDS = 5
RETRY_MAX_SECONDS = 300
IN_PROCESS_RETRY_BASE_SECONDS = 0.5


def retry_countdown_s(retries: int) -> int:
    """Exponential backoff: 5, 10, 20, 40, 80 ... seconds, capped."""
    return min(RETRY_MAX_SECONDS, RETRY_BASE_SECONDS * 2**retries)


def steps_from(from_step: str, *, only: bool = False) -> list[str]:
    if from_step not in STEP_ORDER:
        raise ValueError(f"unknown step {from_step!r}; steps are {', '.join(STEP_ORDER)}")
    names = STEP_ORDER[STEP_ORDER.index(from_step) :]
    return names[:1] if only else names


def step_run(*, video_id: int, name: str, final_attempt: bool = True) -> bool:
    """Run one step for a video and record the outcome. Returns False when the video is gone
    or has failed (later steps then do nothing). Raises StepTransientError when the step should
    be retried later (only when not final_attempt)."""
    video = Video.objects.filter(pk=video_id).first()
    if video is None:
        return False
    if video.status == VideoStatus.FAILED:
        return False
    step = step_start(video=video, name=name)
    try:
        detail = STEP_FUNCTIONS[name](video)
    except StepSkipped as exc:
        step_finish(video=video, step=step, state=StepState.SKIPPED, error=str(exc))
        return True
    except StepTransientError as exc:
        if not final_attempt:
            step_finish(video=video, step=step, state=StepState.PENDING, error=str(exc))
            raise
        return _step_failed(video, step, name, f"gave up after {step.attempts} attempts: {exc}")
    except StepPermanentError as exc:
        return _step_failed(video, step, name, str(exc))
    except Exception as exc:  # noqa: BLE001 - one bad video never takes the worker down
        logger.exception("step %s of video %s crashed", name, video_id)
        return _step_failed(video, step, name, f"{type(exc).__name__}: {exc}")
    step_finish(video=video, step=step, state=StepState.DONE, detail=detail)
    if name == StepName.PUBLISH:
        video_set_status(video=video, status=VideoStatus.READY)
        lists_refresh_soon()
    return True


def _step_failed(video: Video, step, name: str, error: str) -> bool:  # noqa: ANN001
    step_finish(video=video, step=step, state=StepState.FAILED, error=error)
    if name in OPTIONAL_STEPS:
        return True  # publish without a transcript / without tags
    if video.status == VideoStatus.READY:
        # A failed re-embed keeps the published video (and its old vectors) in the feed.
        return False
    video_set_status(video=video, status=VideoStatus.FAILED, failure_reason=f"{name}: {error}")
    return False


def _prepare(video: Video, names: list[str]) -> None:
    steps_reset(video=video, names=names)
    # A re-embed or re-tag of a ready video keeps it in the feed while it runs.
    keep_ready = video.status == VideoStatus.READY and StepName.TRANSCODE not in names
    if not keep_ready:
        video_set_status(video=video, status=VideoStatus.PROCESSING)


def pipeline_enqueue(
    *, video: Video, from_step: str = StepName.TRANSCODE, only: bool = False
) -> None:
    """Start the Celery chain for a video (from a step, or just that step)."""
    from videos import tasks

    names = steps_from(from_step, only=only)
    _prepare(video, names)
    signature = chain(*[tasks.STEP_TASKS[name].si(video.pk) for name in names])
    if connection.in_atomic_block and not settings.CELERY_TASK_ALWAYS_EAGER:
        # A worker must not pick the job up before the video row is committed.
        transaction.on_commit(signature.apply_async)
    else:
        signature.apply_async()


def pipeline_run(
    *,
    video_id: int,
    from_step: str = StepName.TRANSCODE,
    only: bool = False,
    max_attempts: int = 3,
) -> Video:
    """Run the pipeline synchronously in this process and return the updated video."""
    video = Video.objects.get(pk=video_id)
    names = steps_from(from_step, only=only)
    _prepare(video, names)
    for name in names:
        for attempt in range(1, max_attempts + 1):
            try:
                carry_on = step_run(
                    video_id=video_id, name=name, final_attempt=attempt == max_attempts
                )
                break
            except StepTransientError:
                time.sleep(IN_PROCESS_RETRY_BASE_SECONDS * 2 ** (attempt - 1))
        if not carry_on:
            break
    return Video.objects.get(pk=video_id)
