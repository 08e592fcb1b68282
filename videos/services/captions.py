"""The owner edits a video's captions: the transcript changes, so the video is re-embedded and
re-tagged (it stays ready and in the feed meanwhile)."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from videos.captions import segments_clean
from videos.models import StepName, Video
from videos.tasks import pipeline_enqueue


def video_captions_update(*, video: Video, segments: Any) -> Video:
    """Replace the timed transcript with the owner's segments and queue embed -> tag ->
    publish. Raises InvalidInput for malformed segments (nothing is stored then)."""
    cleaned = segments_clean(segments, duration_s=video.duration_s)
    with transaction.atomic():
        video.transcript_segments = cleaned
        video.transcript = " ".join(segment["text"] for segment in cleaned if segment["text"])
        video.save(update_fields=["transcript", "transcript_segments"])
        pipeline_enqueue(video=video, from_step=StepName.EMBED)
    return video
