"""Discover background work: the lists of the Discover page (beat, DISCOVER_REFRESH_SECONDS)."""

from __future__ import annotations

from celery import shared_task

from discover.refresh import discover_lists_refresh


@shared_task(name="discover.lists_refresh", acks_late=True, max_retries=2, default_retry_delay=30)
def lists_refresh() -> dict[str, int]:
    return discover_lists_refresh()
