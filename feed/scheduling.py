"""Scheduling the feed's background work soon, from the request path: the aggregates flush
after a batch is queued, and a lists refresh after a video is published."""

from __future__ import annotations

import logging
import math

from django.conf import settings
from django.core.cache import cache

from feed.tasks import LISTS_REFRESH_SECONDS_KEY, aggregates_flush_task, trending_refresh

logger = logging.getLogger(__name__)

LISTS_REFRESH_DEBOUNCE_SECONDS = 5
_REFRESH_PENDING_KEY = "feed:lists-refresh-pending"


def aggregates_pushed(length: int) -> None:
    """After a push: the first entry of an empty queue schedules a flush."""
    if length == 1:
        try:
            aggregates_flush_task.apply_async(countdown=settings.FEED_AGGREGATES_DELAY_SECONDS)
        except Exception:  # the periodic sweep flushes the queue anyway
            logger.warning("could not schedule an aggregates flush", exc_info=True)


def lists_refresh_soon() -> None:
    """Called when a video is published: it must reach the fresh and cold-start lists within
    seconds, not at the next beat tick. A bulk ingest publishing hundreds of videos still
    triggers at most one refresh per LISTS_REFRESH_DEBOUNCE_SECONDS, or per twice the last
    refresh's duration when that is longer (a large catalogue's refresh takes seconds: one every
    5 s kept the feed queue's processes busy through a bulk ingest)."""
    last = float(cache.get(LISTS_REFRESH_SECONDS_KEY) or 0.0)
    debounce = max(LISTS_REFRESH_DEBOUNCE_SECONDS, math.ceil(2 * last))
    if cache.add(_REFRESH_PENDING_KEY, 1, timeout=debounce):
        trending_refresh.apply_async(countdown=debounce)
