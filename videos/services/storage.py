"""Where a video's files live in the media store: one folder per video, named by its random
media key (videos/<media_key>/), so deleting a video is deleting one prefix."""

from __future__ import annotations

from videos.models import Video


def video_prefix(video: Video) -> str:
    return f"videos/{video.media_key}/"
