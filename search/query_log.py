"""The queries people search, counted by distinct searcher: a Redis HyperLogLog of pseudonymous
searchers per query, whose counts a periodic task copies into the SearchQuery table; queries
enough different people searched become suggestions (one person searching the same words again,
on any day or from every tab, stays one searcher, so nobody's own search reaches everyone's
search box)."""

from __future__ import annotations

import hashlib
from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.utils import timezone

from feed.state import redis_client
from search.models import LOGGED_QUERY_MAX_CHARS, SearchQuery
from search.query_text import query_loggable
from tiktok.allowances import allowance_take
from tiktok.db.batched import rows_delete_by_id_batches
from tiktok.db.sql import table

# Queries whose searcher count grew since the last flush (a Redis set).
CHANGED_KEY = "search:queries:changed"
FLUSHING_KEY = "search:queries:changed:flushing"
# One HyperLogLog per query of who searched it: it holds hashes of hashes, never an identity.
# Small counts are exact in practice, and a collision can only make a count lower, never higher.
SEARCHERS_KEY = "search:queries:searchers:{digest}"
# ... and one of the addresses they searched from (IPv6 as its /64): a query's count is the
# smaller of the two, so one client with a few fresh accounts (or one IPv6 host) is not "three
# people" who all searched a phrase about someone.
ADDRESSES_KEY = "search:queries:addresses:{digest}"
# Past queries checked per statement of queries_prune.
PRUNE_BATCH = 5000


def _searchers_key(query: str) -> str:
    return SEARCHERS_KEY.format(digest=_digest(query))


def _addresses_key(query: str) -> str:
    return ADDRESSES_KEY.format(digest=_digest(query))


def _digest(query: str) -> str:
    return hashlib.sha256(query.encode()).hexdigest()[:32]


def _searchers_keep_seconds() -> int:
    """A query's searchers are kept as long as the query itself is when it goes unsearched
    (SEARCH_QUERY_RETAIN_DAYS since its last search), each search starting the clock again."""
    return settings.SEARCH_QUERY_RETAIN_DAYS * 24 * 3600


def query_log(*, q: str, searcher: str, address: str | None = None) -> None:
    """Count `searcher` (an account or a client address) and the `address` it searched from
    (the searcher itself when not given) among those who searched `q` (normalised), unless it
    looks private or is too long. A searcher already counted for the query changes nothing,
    however long ago they searched it."""
    query = q.casefold()
    if not searcher or not query_loggable(query, LOGGED_QUERY_MAX_CHARS):
        return
    key, addresses_key = _searchers_key(query), _addresses_key(query)
    searcher_hash = hashlib.sha256(f"{searcher}\n{query}".encode()).hexdigest()[:32]
    address_hash = hashlib.sha256(f"{address or searcher}\n{query}".encode()).hexdigest()[:32]
    client = redis_client()
    if not client.exists(key) and not _new_query_allowed(searcher):
        return
    with client.pipeline() as pipe:
        pipe.pfadd(key, searcher_hash)
        pipe.pfadd(addresses_key, address_hash)
        pipe.expire(key, _searchers_keep_seconds())
        pipe.expire(addresses_key, _searchers_keep_seconds())
        new_searcher, new_address, *_ = pipe.execute()
    if new_searcher or new_address:
        client.sadd(CHANGED_KEY, query)


def _new_query_allowed(searcher: str) -> bool:
    """Whether this searcher may start counting one more query nobody searched before today
    (SEARCH_NEW_QUERIES_PER_SEARCHER_PER_DAY); the allowance's key holds a hash of the
    searcher, never its identity."""
    name = "search-new-query:" + hashlib.sha256(searcher.encode()).hexdigest()[:32]
    limit = settings.SEARCH_NEW_QUERIES_PER_SEARCHER_PER_DAY
    return allowance_take(name, limit=limit, window_s=24 * 3600).allowed


def queries_flush() -> int:
    """Copy the searcher counts of the queries that grew into the table (one upsert); returns
    how many queries changed. The changed set is renamed first, so searches counted meanwhile
    wait for the next run, and a failed upsert leaves the renamed set for the next run to retry.
    A stored count is never lowered: a query's HyperLogLog that expired (nobody searched it for
    SEARCH_QUERY_RETAIN_DAYS) starts again from one searcher while the row keeps its count."""
    client = redis_client()
    if not client.exists(FLUSHING_KEY):
        if not client.exists(CHANGED_KEY):
            return 0
        client.rename(CHANGED_KEY, FLUSHING_KEY)
    queries = sorted(member.decode() for member in client.smembers(FLUSHING_KEY))
    if queries:
        with client.pipeline(transaction=False) as pipe:
            for query in queries:
                pipe.pfcount(_searchers_key(query))
                pipe.pfcount(_addresses_key(query))
            answers = pipe.execute()
        # People who searched it, as far as their addresses tell them apart.
        counts = [min(answers[i], answers[i + 1]) for i in range(0, len(answers), 2)]
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table(SearchQuery)} AS sq (query, count, last_searched_at) "
                "SELECT q, c, %s FROM unnest(%s::text[], %s::bigint[]) AS t(q, c) "
                "ON CONFLICT (query) DO UPDATE SET count = GREATEST(sq.count, EXCLUDED.count), "
                "last_searched_at = EXCLUDED.last_searched_at",
                [timezone.now(), queries, counts],
            )
    client.delete(FLUSHING_KEY)
    return len(queries)


def queries_prune(*, batch_size: int = PRUNE_BATCH) -> int:
    """Delete the past queries that never became suggestions (fewer searchers than
    SEARCH_SUGGEST_MIN_COUNT) and no new searcher searched for SEARCH_QUERY_RETAIN_DAYS: one-off
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
