"""Feed background work: the trending / fresh / cold-start lists (beat, every 300 s) and the
engagement aggregates written behind interaction requests (feed/aggregates.py)."""

from __future__ import annotations

from typing import Any

from celery import shared_task
from django.core.cache import cache

from feed.aggregates import aggregates_flush
from feed.trending import trending_refresh as trending_lists_refresh

LISTS_REFRESH_DEBOUNCE_SECONDS = 5
_REFRESH_PENDING_KEY = "feed:lists-refresh-pending"


@shared_task(name="feed.trending_refresh", acks_late=True, max_retries=2, default_retry_delay=30)
def trending_refresh() -> dict[str, Any]:
    return trending_lists_refresh()


def lists_refresh_soon() -> None:
    """Called when a video is published: it must reach the fresh and cold-start lists within
    seconds, not at the next beat tick. A bulk ingest publishing hundreds of videos still
    triggers at most one refresh per LISTS_REFRESH_DEBOUNCE_SECONDS."""
    if cache.add(_REFRESH_PENDING_KEY, 1, timeout=LISTS_REFRESH_DEBOUNCE_SECONDS):
        trending_refresh.apply_async(countdown=LISTS_REFRESH_DEBOUNCE_SECONDS)


AGGREGATES_BUSY_RETRY_SECONDS = 1


@shared_task(name="feed.aggregates_flush", bind=True, acks_late=True, max_retries=None)
def aggregates_flush_task(self: Any) -> int:
    """Apply the queued aggregate updates (scheduled by the first entry of an empty queue, and
    swept by beat). While another flush runs, try again shortly: entries queued as it finishes
    would otherwise wait for the sweep."""
    applied = aggregates_flush()
    if applied is None:
        raise self.retry(countdown=AGGREGATES_BUSY_RETRY_SECONDS)
    return applied
