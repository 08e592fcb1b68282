"""How search reacts to what the videos app announces (connected in SearchConfig.ready())."""

from __future__ import annotations

from typing import Any

from search.documents import documents_refresh
from search.tasks import documents_refresh_task

REFRESH_CHUNK = 1000


def on_video_changed(sender: Any, *, video_id: int, **kwargs: Any) -> None:
    """A published (tags and transcript settled) or re-captioned video is findable by its new
    words at once: its document is rebuilt in one statement."""
    documents_refresh(video_ids=[video_id])


def on_video_tags_changed(sender: Any, *, video_ids: list[int], **kwargs: Any) -> None:
    """Videos whose tags (or a tag's name) changed outside the pipeline: their documents are
    rebuilt by the worker, a thousand at a time (a renamed tag may be on every video)."""
    for start in range(0, len(video_ids), REFRESH_CHUNK):
        documents_refresh_task.delay(video_ids=video_ids[start : start + REFRESH_CHUNK])
