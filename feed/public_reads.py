"""What apps above the feed read of its derived state: the trending list and a user's taste."""

from __future__ import annotations

import numpy as np

from feed import state
from feed.models import TasteProfile


def trending_video_ids(*, limit: int) -> list[int] | None:
    """The trending list (best first) as feed.trending_refresh last stored it; None when it was
    never computed."""
    members = state.redis_client().zrevrange(state.TRENDING_KEY, 0, max(limit - 1, 0))
    if not members:
        return None
    return [int(member) for member in members if int(member)]


def taste_vector(*, user_id: int, embedding_version: str) -> np.ndarray | None:
    """The user's long-term taste vector (unit length) in this embedding version, or None."""
    vector = (
        TasteProfile.objects.filter(user_id=user_id, embedding_version=embedding_version)
        .values_list("vector", flat=True)
        .first()
    )
    return None if vector is None else np.asarray(vector, dtype=np.float32)
