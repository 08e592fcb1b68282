"""How search reacts to what the videos app announces (connected in SearchConfig.ready())."""

from __future__ import annotations

from typing import Any

from search.documents import documents_refresh


def on_video_changed(sender: Any, *, video_id: int, **kwargs: Any) -> None:
    """A published (tags and transcript settled) or re-captioned video is findable by its new
    words at once: its document is rebuilt in one statement."""
    documents_refresh(video_ids=[video_id])
