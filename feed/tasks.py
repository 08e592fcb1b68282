"""Feed background work: the trending / fresh / cold-start lists (beat, every 300 s) and the
engagement aggregates written behind interaction requests (feed/aggregates.py)."""

from __future__ import annotations

import time
from typing import Any

from celery import shared_task
from django.conf import settings
from django.core.cache import cache

from feed.aggregates import aggregates_flush
from feed.taste_rebuild import taste_profiles_rebuild
from feed.trending import trending_refresh as trending_lists_refresh

AGGREGATES_BUSY_RETRY_SECONDS = 1
# How long the last lists refresh took (feed.scheduling spaces refreshes after publishing by it).
LISTS_REFRESH_SECONDS_KEY = "feed:lists-refresh-seconds"
# How many times a flush finding another at work tries again (about half a minute): past it,
# it ends, since the running flush and the sweep (every 30 s) take what is left. It tried
# every second without end: a backlog of queued flushes spun all the while one drained it.
AGGREGATES_BUSY_RETRIES = 30


@shared_task(name="feed.trending_refresh", acks_late=True, max_retries=2, default_retry_delay=30)
def trending_refresh() -> dict[str, Any]:
    started = time.monotonic()
    result = trending_lists_refresh()
    cache.set(LISTS_REFRESH_SECONDS_KEY, time.monotonic() - started, timeout=24 * 3600)
    return result


@shared_task(name="feed.aggregates_flush", bind=True, acks_late=True, max_retries=None)
def aggregates_flush_task(self: Any) -> int:
    """Apply the queued aggregate updates (scheduled by the first entry of an empty queue, and
    swept by beat). While another flush runs, try again shortly: entries queued as it finishes
    would otherwise wait for the sweep."""
    applied = aggregates_flush()
    if applied is None:
        if self.request.retries >= AGGREGATES_BUSY_RETRIES:
            return 0
        raise self.retry(countdown=AGGREGATES_BUSY_RETRY_SECONDS)
    return applied


@shared_task(
    name="feed.taste_rebuild",
    acks_late=True,
    max_retries=2,
    default_retry_delay=60,
    soft_time_limit=settings.LONG_TASK_SOFT_TIME_LIMIT,
    time_limit=settings.LONG_TASK_TIME_LIMIT,
)
def taste_rebuild(version: str) -> int:
    """Every viewer's long-term taste in the version now served, from the interaction log."""
    return taste_profiles_rebuild(version=version)
