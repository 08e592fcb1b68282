"""Studio background work: the hourly and daily rollups (beat, tiktok/settings/celery.py)."""

from __future__ import annotations

from celery import shared_task

from studio.rollups import rollup_recent_days, rollup_recent_hours


@shared_task(name="studio.rollup_hours", acks_late=True, max_retries=2, default_retry_delay=30)
def rollup_hours() -> dict[str, int]:
    return rollup_recent_hours()


@shared_task(name="studio.rollup_days", acks_late=True, max_retries=2, default_retry_delay=60)
def rollup_days() -> dict[str, int]:
    return rollup_recent_days()
