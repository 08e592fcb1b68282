"""A video's status and steps, and its detail page data."""

from __future__ import annotations

from typing import Any

from tiktok.errors import NotFound
from videos.cards import video_cards
from videos.models import STEP_ORDER, PipelineStep, Video
from videos.visibility import visible_videos

STEP_RANK = {name: rank for rank, name in enumerate(STEP_ORDER)}


def video_for_viewer(*, video_id: int, viewer) -> Video:  # noqa: ANN001
    """The video if this viewer may see it (owners see their unready ones), else 404.

    Hidden and missing videos answer the same, so a private video's existence never leaks.
    """
    video = (
        visible_videos(viewer=viewer, include_own_unready=True)
        .select_related("owner")
        .filter(pk=video_id)
        .first()
    )
    if video is None:
        raise NotFound("no such video")
    return video


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
    """What the status websocket sends to the owner: {id, status, failure_reason,
    duplicate_of, steps}."""
    return {
        "id": video.pk,
        "status": video.status,
        "failure_reason": video.failure_reason,
        "duplicate_of": duplicate_of_visible(video=video, viewer=video.owner),
        "steps": video_steps(video=video),
    }


def duplicate_of_visible(*, video: Video, viewer: Any) -> int | None:
    """The earlier video this one is a copy of, when the viewer may see that video."""
    original = video.duplicate_of_id
    if original is None or not visible_videos(viewer=viewer).filter(pk=original).exists():
        return None
    return original


def video_detail(*, video: Video, viewer=None) -> dict[str, Any]:  # noqa: ANN001
    """The video card plus transcript, probe results, provenance and pipeline steps.

    Only the owner and staff see where it came from (`source_url`), why it failed and each
    step's attempts and errors (internal URLs, paths); others get the step names and states."""
    card = video_cards(videos=[video], viewer=viewer)[0]
    insider = viewer is not None and (viewer.pk == video.owner_id or viewer.is_staff)
    steps = video_steps(video=video)
    if not insider:
        steps = [{"name": step["name"], "state": step["state"]} for step in steps]
    return {
        **card,
        "transcript": video.transcript,
        "transcript_language": video.transcript_language,
        "transcript_segments": video.transcript_segments,
        "failure_reason": video.failure_reason if insider else "",
        "fps": video.fps,
        "has_audio": video.has_audio,
        "source_url": video.source_url if insider else None,
        "duplicate_of": duplicate_of_visible(video=video, viewer=viewer),
        "steps": steps,
    }
