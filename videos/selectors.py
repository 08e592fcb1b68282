"""Reads of the videos app: a video's status and steps, and its detail page data."""

from __future__ import annotations

from typing import Any

from videos.cards import video_cards
from videos.models import PipelineStep, Video

STEP_RANK = {
    name: rank for rank, name in enumerate(["transcode", "transcribe", "embed", "tag", "publish"])
}


def video_steps(*, video: Video) -> list[dict[str, Any]]:
    """The pipeline steps of a video in pipeline order, in the shape the API and websocket use."""
    steps = sorted(
        PipelineStep.objects.filter(video=video), key=lambda step: STEP_RANK.get(step.name, 99)
    )
    return [
        {
            "name": step.name,
            "state": step.state,
            "attempts": step.attempts,
            "last_error": step.last_error,
            "duration_s": round(step.duration_s, 3) if step.duration_s is not None else None,
        }
        for step in steps
    ]


def video_status(*, video: Video) -> dict[str, Any]:
    """What the status websocket sends: {id, status, failure_reason, steps}."""
    return {
        "id": video.pk,
        "status": video.status,
        "failure_reason": video.failure_reason,
        "steps": video_steps(video=video),
    }


def video_detail(*, video: Video, viewer=None) -> dict[str, Any]:  # noqa: ANN001
    """The video card plus transcript, probe results, provenance and pipeline steps."""
    card = video_cards(videos=[video], viewer=viewer)[0]
    return {
        **card,
        "transcript": video.transcript,
        "transcript_language": video.transcript_language,
        "transcript_segments": video.transcript_segments,
        "failure_reason": video.failure_reason,
        "fps": video.fps,
        "has_audio": video.has_audio,
        "source_url": video.source_url,
        "steps": video_steps(video=video),
    }
