"""The queries people search, counted cheaply: one Redis HINCRBY per searcher and query a day,
folded into the SearchQuery table by a periodic task; queries many people searched become
suggestions (one person searching the same words again, or from every tab, counts once a day,
so nobody's own search reaches everyone's search box)."""

from __future__ import annotations

import hashlib
from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.utils import timezone

from feed.state import redis_client
from search.models import LOGGED_QUERY_MAX_CHARS, SearchQuery
from search.query_text import query_loggable
from tiktok.db.batched import rows_delete_by_id_batches
from tiktok.db.sql import table

PENDING_KEY = "search:queries:pending"
FLUSHING_KEY = "search:queries:flushing"
# One (searcher, query) counts once within this window.
SEARCHER_WINDOW_SECONDS = 24 * 3600
# Past queries checked per statement of queries_prune.
PRUNE_BATCH = 5000


def query_log(*, q: str, searcher: str) -> None:
    """Count one search of `q` (normalised) by `searcher` (an account or session id), unless it
    looks private, is too long, or this searcher already counted it in the last day."""
    query = q.casefold()
    if not searcher or not query_loggable(query, LOGGED_QUERY_MAX_CHARS):
        return
    client = redis_client()
    digest = hashlib.sha256(f"{searcher}\n{query}".encode()).hexdigest()[:32]
    if client.set(f"search:queries:seen:{digest}", 1, nx=True, ex=SEARCHER_WINDOW_SECONDS):
        client.hincrby(PENDING_KEY, query, 1)


def queries_flush() -> int:
    """Add the pending counts to the table (one upsert); returns how many queries changed.
    The pending hash is renamed first, so searches counted meanwhile wait for the next run,
    and a failed upsert leaves the renamed hash for the next run to retry."""
    client = redis_client()
    if not client.exists(FLUSHING_KEY):
        if not client.exists(PENDING_KEY):
            return 0
        client.rename(PENDING_KEY, FLUSHING_KEY)
    counts = {key.decode(): int(value) for key, value in client.hgetall(FLUSHING_KEY).items()}
    if counts:
        queries = list(counts)
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table(SearchQuery)} AS sq (query, count, last_searched_at) "
                "SELECT q, c, %s FROM unnest(%s::text[], %s::bigint[]) AS t(q, c) "
                "ON CONFLICT (query) DO UPDATE SET count = sq.count + EXCLUDED.count, "
                "last_searched_at = EXCLUDED.last_searched_at",
                [timezone.now(), queries, [counts[q] for q in queries]],
            )
    client.delete(FLUSHING_KEY)
    return len(counts)


def queries_prune(*, batch_size: int = PRUNE_BATCH) -> int:
    """Delete the past queries that never became suggestions (fewer searchers than
    SEARCH_SUGGEST_MIN_COUNT) and nobody searched for SEARCH_QUERY_RETAIN_DAYS: one-off
    searches, names among them, are not kept for ever. In batches of ids, each a short
    statement. Returns how many."""
    return rows_delete_by_id_batches(
        model=SearchQuery,
        condition="t.count < %s AND t.last_searched_at < %s",
        params=[
            settings.SEARCH_SUGGEST_MIN_COUNT,
            timezone.now() - timedelta(days=settings.SEARCH_QUERY_RETAIN_DAYS),
        ],
        batch_size=batch_size,
    )
