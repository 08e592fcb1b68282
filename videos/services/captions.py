"""The owner edits a video's captions: the transcript changes, so the video is re-embedded and
re-tagged (it stays ready and in the feed meanwhile)."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from tiktok.errors import Conflict
from videos.captions import segments_clean
from videos.models import StepName, Video, VideoStatus
from videos.pipeline.policy import pipeline_in_progress
from videos.tasks import pipeline_enqueue


def video_captions_update(*, video: Video, segments: Any) -> Video:
    """Replace the timed transcript with the owner's segments and queue embed -> tag ->
    publish. Raises InvalidInput for malformed segments (nothing is stored then), Conflict while
    the video's processing is going on: a re-embed sent beside it found no frames before the
    transcode ended (the video failed), or ran a second chain whose transcription then wrote
    the speech recognised over the edit."""
    cleaned = segments_clean(segments, duration_s=video.duration_s)
    with transaction.atomic():
        # Locked: two edits at once start one run, after the other's is recorded.
        video = Video.objects.select_for_update().get(pk=video.pk)
        if video.status == VideoStatus.UPLOADED or pipeline_in_progress(video):
            raise Conflict(
                "the video is being processed; edit its captions once it is done",
                code="video_processing",
            )
        video.transcript_segments = cleaned
        video.transcript = " ".join(segment["text"] for segment in cleaned if segment["text"])
        video.save(update_fields=["transcript", "transcript_segments"])
        pipeline_enqueue(video=video, from_step=StepName.EMBED, claim=True)
    return video
