"""Feed background work: the trending / fresh / cold-start lists (beat, every 300 s)."""

from __future__ import annotations

from typing import Any

from celery import shared_task
from django.core.cache import cache

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
