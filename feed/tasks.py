"""Feed background work: the trending / fresh / cold-start lists (beat, every 300 s)."""

from __future__ import annotations

from typing import Any

from celery import shared_task

from feed.trending import trending_refresh as trending_lists_refresh


@shared_task(name="feed.trending_refresh", acks_late=True, max_retries=2, default_retry_delay=30)
def trending_refresh() -> dict[str, Any]:
    return trending_lists_refresh()
