"""A sound's videos as a viewer may see them: the most watched, or the newest."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from sounds.models import Sound
from tiktok.errors import InvalidInput
from videos.models import Video
from videos.visibility import visible_videos

# Orders of a sound's video list (keyset pages: every column descends, id last); each has its
# index (Video.Meta: video_sound_*_idx).
SOUND_VIDEO_ORDERS = {
    "popular": ("-view_count", "-id"),
    "new": ("-created_at", "-id"),
}


def sound_video_order(sort: str | None) -> tuple[str, ...]:
    order = SOUND_VIDEO_ORDERS.get(sort or "popular")
    if order is None:
        raise InvalidInput(
            f"sort must be one of {', '.join(SOUND_VIDEO_ORDERS)}", code="invalid_sort"
        )
    return order


def sound_videos(*, sound: Sound, viewer: Any) -> QuerySet[Video]:
    """Videos made with the sound that the viewer may watch (unordered: the caller orders)."""
    # The ordering columns too: the cursor paginator reads them from the last row of a page.
    return visible_videos(viewer=viewer).filter(sound=sound).only("id", "created_at", "view_count")
