"""Engagement aggregates, written behind the request: long-term taste (S, W), co-engagement
counts, video stats and view counts.

Everything an event adds to them is additive (S += w e, W += w, count += n), so what a batch of
events adds (`TasteDeltas`) can be merged with other batches and applied in any order. An
interactions request computes its deltas, and after its own commit (the append-only log, hidden
videos) appends them to a Redis list; the `feed.aggregates_flush` Celery task applies whatever
is queued, merged, in one transaction about FEED_AGGREGATES_DELAY_SECONDS later. The request
then holds no row lock on a popular video's counters or on co-engagement rows, which every
viewer of that video would otherwise queue on, and many requests' updates cost one upsert each.
Session taste, seen videos and recent positives stay on the request path (Redis), so the very
next page reacts. The bulk path (`taste_apply_events`, the evaluator) writes its deltas directly.

Delivery is at most once per request in one edge case: a web process that dies between its
commit and the push loses that batch's aggregate updates (the events themselves are stored).
When Redis fails the push (connection lost, timeout, an error reply), the request writes its
deltas itself (`feed.services.interactions_record`): the client's retry would be all
duplicates. Each batch carries an id that whoever applies it first records in the same
transaction (`AppliedAggregatesBatch`, kept APPLIED_BATCH_KEEP_SECONDS), so a copy of it - a
push that landed after all, a pipeline the client retried - is skipped, not counted twice. A
flush that dies between its commit and trimming the queue applies that batch again on retry.

Rows of videos and users deleted between the event and the flush are skipped in SQL. A batch
that still fails with a data error (not a lost connection) FEED_AGGREGATES_MAX_FAILURES times in
a row is applied entry by entry, and the entries that fail alone are set aside on a dead-letter
list (`DEAD_KEY`; health reports it, `feed.dead_letter` and `manage.py aggregates_dead_letter`
show, retry or drop it), so one bad entry never stops every later update.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import time
from collections import Counter
from collections.abc import Sequence

import numpy as np
import psycopg
import redis
from django.conf import settings
from django.db import DataError, IntegrityError, connection, transaction
from django.utils import timezone

from feed import state
from feed.models import (
    AppliedAggregatesBatch,
    CoEngagement,
    CountedKind,
    HiddenVideo,
    TasteProfile,
    VideoStats,
)
from feed.stats_cache import stats_forget
from feed.taste_deltas import TasteDeltas, deltas_decode, deltas_encode, deltas_merge
from feed.taste_maths import taste_add
from feed.vector_reads import vector_decode
from profiles.models import User
from tiktok.db.binary import binary_rows
from tiktok.db.sql import int_array, table, vector_literal
from videos.models import Video
from videos.services.videos import video_views_add

logger = logging.getLogger(__name__)

QUEUE_KEY = state.PREFIX + "aggregates"  # list of encoded TasteDeltas, oldest first
LOCK_KEY = state.PREFIX + "aggregates:lock"
FAILURES_KEY = state.PREFIX + "aggregates:failures"  # data-error failures of the head batch
DEAD_KEY = state.PREFIX + "aggregates:dead"  # entries set aside, oldest first
# Errors a retry cannot fix (the data is the problem); a lost connection is retried forever.
# psycopg's own classes too: errors of pipelined statements surface outside Django's wrapper.
DATA_ERRORS = (IntegrityError, DataError, psycopg.IntegrityError, psycopg.DataError)
FLUSH_BATCH = 500  # queue entries merged into one transaction
# How long an applied batch's id is kept, so a later copy of it is skipped: a copy a retried
# pipeline queued, or one that reached the queue although its request applied the batch itself.
# Copies are flushed within seconds; one older than this would need an hour's backlog.
APPLIED_BATCH_KEEP_SECONDS = 3600
LOCK_SECONDS = 300

STAT_COLUMNS = {
    "impression": "impressions",
    "play": "plays",
    "finish": "finishes",
    "skip": "skips",
    "like": "likes",
    "share": "shares",
    "positive": "positives",  # not an event type: counted for every strong positive
}


def aggregates_enqueue(deltas: TasteDeltas, *, pipe: redis.client.Pipeline) -> int:
    """Queue a request's deltas on the caller's pipeline. Returns the index of the push in the
    pipeline's results (the queue's length, for `feed.scheduling.aggregates_pushed`), or -1
    when there is nothing to queue."""
    if not deltas:
        return -1
    index = len(pipe.command_stack)
    pipe.rpush(QUEUE_KEY, deltas_encode(deltas))
    return index


def aggregates_pending() -> int:
    return int(state.redis_client().llen(QUEUE_KEY))


def aggregates_backlog() -> dict[str, float | int]:
    """How many batches wait, how long the oldest has waited (seconds; 0 when none) and how many
    entries were set aside: the health check's view of the aggregates."""
    pipe = state.redis_client().pipeline(transaction=False)
    pipe.llen(QUEUE_KEY)
    pipe.lindex(QUEUE_KEY, 0)
    pipe.llen(DEAD_KEY)
    pending, oldest, dead = pipe.execute()
    age = 0.0
    if oldest:
        try:
            age = max(0.0, time.time() - float(json.loads(oldest)["t"]))
        except (KeyError, TypeError, ValueError):
            age = 0.0  # an unreadable entry: the flush drops it
    return {"pending": int(pending), "oldest_s": round(age, 1), "dead_letter": int(dead)}


def aggregates_flush() -> int | None:
    """Apply everything queued, FLUSH_BATCH entries per transaction, until the queue is empty.
    Returns the number of entries applied, or None when another flush holds the lock."""
    client = state.redis_client()
    lock = client.lock(LOCK_KEY, timeout=LOCK_SECONDS)
    if not lock.acquire(blocking=False):
        return None
    applied = 0
    try:
        while raws := client.lrange(QUEUE_KEY, 0, FLUSH_BATCH - 1):
            lock.reacquire()  # a long backlog must not outlive the lock (two flushes at once)
            entries = []
            for raw in raws:
                try:
                    entries.append((raw, deltas_decode(raw)))
                except ValueError:
                    logger.error("dropping an unreadable aggregates entry: %r", raw[:200])
            try:
                _apply_claimed([deltas for _, deltas in entries])
            except DATA_ERRORS:
                if client.incr(FAILURES_KEY) < settings.FEED_AGGREGATES_MAX_FAILURES:
                    raise
                _apply_one_by_one(client, raws, dict(entries))
            else:
                client.ltrim(QUEUE_KEY, len(raws), -1)
            client.delete(FAILURES_KEY)
            applied += len(raws)
    finally:
        with contextlib.suppress(Exception):
            lock.release()
    return applied


def _batches_claim(batch_ids: Sequence[str]) -> set[str]:
    """Record batches as applied (call inside the transaction that applies them); returns the
    ids recorded now. One that another transaction recorded is not returned: the flush and a
    request applying its own batch (`aggregates_apply_once`) wait for each other on the
    primary key, so a batch is applied once whoever gets there first."""
    if not batch_ids:
        return set()
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {AppliedAggregatesBatch._meta.db_table} (batch_id, applied_at) "
            "SELECT unnest(%s::text[]), now() ON CONFLICT DO NOTHING RETURNING batch_id",
            [sorted(set(batch_ids))],
        )
        return {row[0] for row in cursor.fetchall()}


def _batches_forget() -> None:
    """Forget applied batch ids older than APPLIED_BATCH_KEEP_SECONDS, at most once a minute
    per process (a queued copy of a batch is flushed long before)."""
    global _forgotten_at
    if time.monotonic() - _forgotten_at < 60:
        return
    _forgotten_at = time.monotonic()
    AppliedAggregatesBatch.objects.filter(
        applied_at__lt=timezone.now() - dt.timedelta(seconds=APPLIED_BATCH_KEEP_SECONDS)
    ).delete()


_forgotten_at = float("-inf")


def _apply_claimed(batches: Sequence[TasteDeltas]) -> list[TasteDeltas]:
    """Apply the batches not applied before (by their request, or by a flush of an earlier
    copy: a pipeline retried by the client queues one twice), in one transaction; returns
    those applied."""
    with transaction.atomic():
        claimed = _batches_claim([deltas.batch_id for deltas in batches if deltas.batch_id])
        fresh = []
        for deltas in batches:
            if deltas.batch_id is None:
                fresh.append(deltas)
            elif deltas.batch_id in claimed:
                claimed.discard(deltas.batch_id)  # a second copy in this read is skipped
                fresh.append(deltas)
        for deltas in deltas_merge(fresh):
            aggregates_write(deltas)
        _batches_forget()
    for deltas in fresh:
        stats_forget(deltas.stats)
    return fresh


def aggregates_apply_once(deltas: TasteDeltas) -> bool:
    """Write a request's deltas itself (Redis failed around its push), unless a flush applied
    a copy that reached the queue after all; a copy flushed later is skipped. Returns whether
    this call applied them."""
    return bool(_apply_claimed([deltas]))


def _apply_one_by_one(
    client: redis.Redis, raws: list[bytes], decoded: dict[bytes, TasteDeltas]
) -> None:
    """The head batch keeps failing on its data: apply its entries one at a time, each taken off
    the queue once applied, and set aside those that fail alone."""
    for raw in raws:
        deltas = decoded.get(raw)
        if deltas is not None:
            try:
                _apply_claimed([deltas])
            except DATA_ERRORS as exc:
                logger.error("aggregates entry set aside after repeated failures: %s", exc)
                client.rpush(DEAD_KEY, raw)
        client.lpop(QUEUE_KEY)


def aggregates_apply(batches: Sequence[TasteDeltas]) -> None:
    """Write some TasteDeltas in one transaction (the flush and the bulk path); this process
    then ranks on the new counts at once."""
    with transaction.atomic():
        for deltas in batches:
            aggregates_write(deltas)
    for deltas in batches:
        stats_forget(deltas.stats)


def aggregates_write(deltas: TasteDeltas) -> None:
    """The writes of one TasteDeltas (call inside a transaction). They need no answer:
    pipelined, they cost one round trip instead of one each (an error still raises here,
    inside the caller's transaction)."""
    with _pipeline():
        if deltas.users and deltas.version:
            _long_term_apply(users=deltas.users, version=deltas.version)
        _coengagement_upsert(deltas.pairs)
        _stats_upsert(deltas.stats)


def hidden_insert(pairs: Sequence[tuple[int, int]]) -> None:
    """(user, video) pairs marked not_interested; already hidden ones are left as they are."""
    if not pairs:
        return
    HiddenVideo.objects.bulk_create(
        [HiddenVideo(user_id=u, video_id=v) for u, v in sorted(pairs)], ignore_conflicts=True
    )


# The stats a viewer counts in once per video (CountedEngagement), by their CountedKind.
COUNTED_ONCE = {
    "impression": CountedKind.IMPRESSION,
    "play": CountedKind.PLAY,
    "finish": CountedKind.FINISH,
    "skip": CountedKind.SKIP,
    "share": CountedKind.SHARE,
    "positive": CountedKind.POSITIVE,
    "rewatch": CountedKind.REWATCH,
}
COUNTED_STATS = {int(kind): stat for stat, kind in COUNTED_ONCE.items()}


def _pipeline() -> contextlib.AbstractContextManager:
    """psycopg's pipeline mode on Django's connection (a no-op context for other drivers)."""
    connection.ensure_connection()
    pipeline = getattr(connection.connection, "pipeline", None)
    return pipeline() if pipeline is not None else contextlib.nullcontext()


def _long_term_apply(*, users: dict[int, tuple[np.ndarray, float, int]], version: str) -> None:
    """S += dS, W += dW per user; rows locked so concurrent flushes don't lose updates. One
    locking read (S arrives in binary) and one upsert for all users."""
    stored = {
        int(user_id): (vector_decode(raw), float(total), int(count or 0))
        for user_id, raw, total, count in binary_rows(
            "SELECT user_id, vector_send(weighted_sum), weight_total, positive_count "
            f"FROM {table(TasteProfile)} WHERE embedding_version = %s AND user_id = ANY(%s) "
            "FOR UPDATE",
            [version, sorted(users)],
        )
    }
    changed: list[tuple[int, str, str, float, int]] = []
    for user_id, (delta_sum, delta_weight, delta_count) in sorted(users.items()):
        dim = len(delta_sum)
        if user_id not in stored:
            if delta_weight <= 0:
                continue
            weighted_sum, weight_total, positive_count = np.zeros(dim, dtype=np.float32), 0.0, 0
        else:
            weighted_sum, weight_total, positive_count = stored[user_id]
            if weighted_sum is None or len(weighted_sum) != dim:
                weighted_sum, weight_total = np.zeros(dim, dtype=np.float32), 0.0
        new_sum, new_total, vector = taste_add(weighted_sum, weight_total, delta_sum, delta_weight)
        positive_count = max(0, positive_count + delta_count)
        changed.append(
            (user_id, vector_literal(vector), vector_literal(new_sum), new_total, positive_count)
        )
    taste_rows_upsert(version=version, rows=changed)


def taste_rows_upsert(*, version: str, rows: list[tuple[int, str, str, float, int]]) -> None:
    """Write these tastes of a version, (user id, vector, S, W, positive count) each, vectors
    as literals, in one statement; users deleted meanwhile are skipped."""
    if not rows:
        return
    columns = [list(column) for column in zip(*rows, strict=True)]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table(TasteProfile)} (user_id, embedding_version, vector, "
            "weighted_sum, weight_total, positive_count, updated_at) "
            "SELECT u, %s, v::vector, s::vector, w, p, now() FROM unnest("
            "%s::bigint[], %s::text[], %s::text[], %s::float8[], %s::int[]) "
            f"AS x(u, v, s, w, p) JOIN {table(User)} ON {table(User)}.id = x.u "
            "ON CONFLICT (user_id, embedding_version) DO UPDATE SET "
            "vector = EXCLUDED.vector, weighted_sum = EXCLUDED.weighted_sum, "
            "weight_total = EXCLUDED.weight_total, positive_count = EXCLUDED.positive_count, "
            "updated_at = EXCLUDED.updated_at",
            [version, *columns],
        )


def _coengagement_upsert(pair_counts: Counter[tuple[int, int]]) -> None:
    if not pair_counts:
        return
    pairs = sorted(pair_counts.items())  # a fixed lock order avoids deadlocks between batches
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table(CoEngagement)} AS pair (video_a_id, video_b_id, count) "
            "SELECT a, b, c FROM unnest(%s::bigint[], %s::bigint[], %s::int[]) AS x(a, b, c) "
            # pairs whose videos were deleted since the events are skipped
            f"WHERE EXISTS (SELECT 1 FROM {table(Video)} v WHERE v.id = x.a) "
            f"AND EXISTS (SELECT 1 FROM {table(Video)} v WHERE v.id = x.b) "
            "ON CONFLICT (video_a_id, video_b_id) "
            "DO UPDATE SET count = pair.count + EXCLUDED.count",
            [
                int_array(a for (a, _), _ in pairs),
                int_array(b for (_, b), _ in pairs),
                int_array(c for _, c in pairs),
            ],
        )


def _stats_upsert(stats: dict[int, Counter[str]]) -> None:
    rows = sorted(
        (video_id, *(counter.get(t, 0) for t in STAT_COLUMNS))
        for video_id, counter in stats.items()
        if any(counter.get(t, 0) for t in STAT_COLUMNS)
    )
    columns = list(STAT_COLUMNS.values())
    counter_arrays = ", ".join(["%s::bigint[]"] * len(columns))
    source = f"unnest(%s::bigint[], {counter_arrays}) AS x(id, {', '.join(columns)})"
    # A delta may be negative (an unlike): a counter never goes below zero. The rows that
    # lower one are updated first (an upsert's proposed row must itself pass the counters'
    # CHECK); those without a stats row yet are inserted below with that count at zero.
    lowering = [row for row in rows if any(value < 0 for value in row[1:])]
    if lowering:
        arrays = [list(col) for col in zip(*lowering, strict=True)]
        changes = ", ".join(f"{c} = GREATEST(0, s.{c} + x.{c})" for c in columns)
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table(VideoStats)} AS s SET {changes}, updated_at = now() "
                f"FROM {source} WHERE s.video_id = x.id RETURNING s.video_id",
                arrays,
            )
            updated = {video_id for (video_id,) in cursor.fetchall()}
        rows = [row for row in rows if row[0] not in updated]
    if rows:
        arrays = [list(col) for col in zip(*rows, strict=True)]
        updates = ", ".join(f"{c} = GREATEST(0, s.{c} + EXCLUDED.{c})" for c in columns)
        inserted = ", ".join(f"GREATEST(0, x.{c})" for c in columns)
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table(VideoStats)} AS s (video_id, {', '.join(columns)}, "
                f"updated_at) SELECT x.id, {inserted}, now() FROM {source} "
                # videos deleted since the events are skipped
                f"JOIN {table(Video)} v ON v.id = x.id "
                f"ON CONFLICT (video_id) DO UPDATE SET {updates}, updated_at = now()",
                arrays,
            )
    # The public view counter on cards and profiles (owned by videos) counts plays.
    video_views_add({video_id: counter["play"] for video_id, counter in stats.items()})
