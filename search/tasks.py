"""Search's Celery tasks (thin: the work is in search.query_log)."""

from __future__ import annotations

from celery import shared_task

from search.query_log import queries_flush


@shared_task(name="search.queries_flush", ignore_result=True)
def queries_flush_task() -> int:
    return queries_flush()
