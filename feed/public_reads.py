"""What apps above the feed read of its derived state: the trending list."""

from __future__ import annotations

from feed import state


def trending_video_ids(*, limit: int) -> list[int] | None:
    """The trending list (best first) as feed.trending_refresh last stored it; None when it was
    never computed."""
    members = state.redis_client().zrevrange(state.TRENDING_KEY, 0, max(limit - 1, 0))
    if not members:
        return None
    return [int(member) for member in members if int(member)]
