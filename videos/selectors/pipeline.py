"""The pipeline's backlog, for health reports: what is processing, and what waits for a retry
(an embedder or object-store outage shows up here as a growing, ageing backlog)."""

from __future__ import annotations

from typing import Any

from django.db.models import Min
from django.utils import timezone

from videos.models import PipelineStep, StepState, Video, VideoStatus


def pipeline_backlog() -> dict[str, Any]:
    """Videos processing; steps waiting for a retry after a transient error or an outage, and
    how long ago the oldest of their runs was started."""
    processing = Video.objects.filter(status=VideoStatus.PROCESSING).count()
    waiting = PipelineStep.objects.filter(state=StepState.PENDING).exclude(last_error="")
    oldest = waiting.aggregate(since=Min("video__pipeline_requested_at"))["since"]
    return {
        "processing": processing,
        "waiting_for_retry": waiting.count(),
        "oldest_waiting_seconds": round((timezone.now() - oldest).total_seconds()) if oldest else 0,
    }
