"""The queries people search, counted cheaply: one Redis HINCRBY per search, folded into the
SearchQuery table by a periodic task; frequent ones become suggestions."""

from __future__ import annotations

from django.db import connection
from django.utils import timezone

from feed.state import redis_client
from search.models import LOGGED_QUERY_MAX_CHARS, SearchQuery
from search.query_text import query_loggable
from tiktok.db.sql import table

PENDING_KEY = "search:queries:pending"
FLUSHING_KEY = "search:queries:flushing"


def query_log(*, q: str) -> None:
    """Count one search of `q` (normalised) unless it looks private or is too long."""
    query = q.casefold()
    if query_loggable(query, LOGGED_QUERY_MAX_CHARS):
        redis_client().hincrby(PENDING_KEY, query, 1)


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
