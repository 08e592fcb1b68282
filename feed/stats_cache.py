"""A per-process cache of the engagement counters (VideoStats) the ranking reads.

A page scores a few hundred candidates; joining their counters on every request measured about
a third of the candidate query. Counters move slowly relative to ranking (trending is
recomputed every 5 minutes), so each process keeps them for FEED_STATS_CACHE_SECONDS (0 turns
the cache off). A process that applies counters (the aggregates flush, the bulk path) drops
those videos' entries at once; other processes see new counts within the cache lifetime.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable, Sequence

from django.conf import settings
from django.db import connection

Counters = tuple[float, float, float]  # impressions, plays, finishes

_lock = threading.Lock()
_entries: dict[tuple[str, int], tuple[float, Counters]] = {}


def _database() -> str:
    return str(connection.settings_dict.get("NAME"))


def stats_cached(video_ids: Sequence[int]) -> tuple[dict[int, Counters], list[int]]:
    """(counters still fresh in the cache, ids to read from the database)."""
    if settings.FEED_STATS_CACHE_SECONDS <= 0:
        return {}, list(video_ids)
    now = time.monotonic()
    database = _database()
    found: dict[int, Counters] = {}
    missing: list[int] = []
    with _lock:
        for video_id in video_ids:
            entry = _entries.get((database, video_id))
            if entry is not None and entry[0] > now:
                found[video_id] = entry[1]
            else:
                missing.append(video_id)
    return found, missing


def stats_remember(counters: dict[int, Counters]) -> None:
    ttl = settings.FEED_STATS_CACHE_SECONDS
    if ttl <= 0 or not counters:
        return
    expires = time.monotonic() + ttl
    database = _database()
    with _lock:
        if len(_entries) + len(counters) > settings.FEED_STATS_CACHE_SIZE:
            _entries.clear()  # simple and bounded; a full refill costs one page's join
        for video_id, values in counters.items():
            _entries[(database, video_id)] = (expires, values)


def stats_forget(video_ids: Iterable[int]) -> None:
    database = _database()
    with _lock:
        for video_id in video_ids:
            _entries.pop((database, int(video_id)), None)
