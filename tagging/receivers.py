"""How tagging reacts to what the videos app announces (connected in TaggingConfig.ready())."""

from __future__ import annotations

import logging
from typing import Any

logger = logging.getLogger(__name__)


def on_caption_edited(sender: Any, *, video_id: int, **kwargs: Any) -> None:
    """A caption edit re-tags the video (sent after the edit's commit): a hashtag removed took
    no creator tag off, one added gave none, until the next "Re-tag all videos"."""
    from tagging.tasks import retag_video

    try:
        retag_video.delay(video_id)
    except Exception:  # noqa: BLE001 - a broker outage never fails the edit
        logger.warning("could not queue the re-tag of video %s", video_id, exc_info=True)
