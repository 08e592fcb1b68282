"""Search's Celery tasks (thin: the work is in search.query_log and search.documents)."""

from __future__ import annotations

from celery import shared_task

from search.documents import documents_refresh, search_words_prune
from search.query_log import queries_flush, queries_prune


@shared_task(name="search.queries_flush", ignore_result=True)
def queries_flush_task() -> int:
    return queries_flush()


@shared_task(name="search.prune", ignore_result=True)
def prune_task() -> dict[str, int]:
    """Daily: old one-off queries (the retention people are promised: first, so a long words
    pass cut by the time limit never keeps them), then dictionary words no document holds."""
    queries = queries_prune()
    return {"queries": queries, "words": search_words_prune()}


@shared_task(name="search.documents_refresh", ignore_result=True)
def documents_refresh_task(*, video_ids: list[int]) -> int:
    """Rebuild these videos' search documents (after their tags changed). On the default
    queue: a renamed tag on every video is thousands of these, which must not hold up the
    feed queue's notifications, mail and aggregates."""
    return documents_refresh(video_ids=video_ids)
