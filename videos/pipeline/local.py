"""The pipeline in this process, one step after the other (tests, evaluations, benchmarks and
`--sync` ingestion): the same step policy as the Celery tasks, retrying transient errors here."""

from __future__ import annotations

import time

from videos.models import StepName, Video
from videos.pipeline.errors import StepTransientError
from videos.pipeline.policy import pipeline_prepare, step_run, steps_from

IN_PROCESS_RETRY_BASE_SECONDS = 0.5


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
    pipeline_prepare(video, names, in_process=True)
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
    return Video.objects.get(pk=video_id)
