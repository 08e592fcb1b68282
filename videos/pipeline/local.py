"""The pipeline in this process, one step after the other (tests, evaluations, benchmarks and
`--sync` ingestion): the same step policy as the Celery tasks, retrying transient errors here.

A run in this process holds a session-level PostgreSQL advisory lock on its video while it
runs; the server releases it when the session ends, however the process ended (Ctrl-C, a
dropped SSH session, the OOM killer). So another process can tell a run that is going on from
one that was interrupted (`pipeline_interrupted`), and take the interrupted one up again."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

from django.db import connection

from videos.models import StepName, StepState, Video, VideoStatus
from videos.pipeline.errors import StepTransientError
from videos.pipeline.policy import pipeline_prepare, run_steps, step_run

IN_PROCESS_RETRY_BASE_SECONDS = 0.5
# Advisory lock keys of in-process runs: this base ("PIPE" in the high half) plus the video id,
# apart from the small constant keys other locks use.
RUN_LOCK_BASE = 0x50495045 << 32
NO_CLAIM = object()  # pipeline_run: run whatever was asked for meanwhile


def pipeline_run(
    *,
    video_id: int,
    from_step: str = StepName.TRANSCODE,
    only: bool = False,
    max_attempts: int = 3,
    claim_from: datetime | None | object = NO_CLAIM,
) -> Video | None:
    """Run the pipeline synchronously in this process and return the updated video, or None
    when it was deleted (before or during the run). With `claim_from` (the
    `pipeline_requested_at` the caller saw when it decided to run it), only if no run was asked
    for since (pipeline_prepare's claim); else the video as it is."""
    with _run_lock(video_id):
        video = Video.objects.filter(pk=video_id).first()
        if video is None:
            return None
        names = run_steps(video, from_step, only=only)
        claim = claim_from is not NO_CLAIM
        if claim:
            video.pipeline_requested_at = claim_from
        if not pipeline_prepare(video, names, in_process=True, claim=claim):
            return video
        for name in names:
            for attempt in range(1, max_attempts + 1):
                try:
                    carry_on = step_run(
                        video_id=video_id, name=name, retries=None if attempt == max_attempts else 0
                    )
                    break
                except StepTransientError:
                    time.sleep(IN_PROCESS_RETRY_BASE_SECONDS * 2 ** (attempt - 1))
            if not carry_on:
                break
    return Video.objects.filter(pk=video_id).first()


@contextmanager
def _run_lock(video_id: int) -> Iterator[None]:
    key = RUN_LOCK_BASE + video_id
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s)", [key])
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [key])


def in_process_run_alive(video_id: int) -> bool:
    """Whether some process's in-process run of this video is going on now (it holds the lock;
    asked from another database session than the run's)."""
    key = RUN_LOCK_BASE + video_id
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [key])
        taken = cursor.fetchone()[0]
        if taken:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [key])
    return not taken


def pipeline_interrupted(video: Video) -> bool:
    """Whether this not-yet-ready video's processing was interrupted and nothing will finish it:
    it was stored but its run never asked for (the process stopped in between), or its run was
    in a process that is gone (`ingest_folder --sync` stopped by Ctrl-C) with steps left. Runs
    handed to the task queue are the sweep's (`pipeline_sweep`) to judge."""
    if video.status not in (VideoStatus.UPLOADED, VideoStatus.PROCESSING):
        return False
    if video.pipeline_requested_at is None:
        return True
    in_process = video.pipeline_queued_at == video.pipeline_requested_at
    if not in_process:
        return False
    left = video.steps.filter(state__in=[StepState.PENDING, StepState.RUNNING]).exists()
    return left and not in_process_run_alive(video.pk)
