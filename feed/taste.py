"""The taste update maths for stored interaction events (one code path for the API, the
server-side events and the bulk evaluator): long-term S/W, co-engagement, video stats, hidden
videos in the DB; recent positives, seen videos and session taste in Redis."""

from __future__ import annotations

import contextlib
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from django.conf import settings
from django.db import connection, transaction

from feed import state
from feed.embeddings import binary_rows, vector_decode
from feed.models import HiddenVideo
from feed.ranking import coengagement_pairs
from feed.stats_cache import stats_forget
from feed.vectors import taste_accumulate
from feed.weights import TasteWeights, negative_strength, positive_weight
from videos.versions import active_embedding_version


def taste_weights() -> TasteWeights:
    return TasteWeights(
        watch=settings.FEED_WEIGHT_WATCH,
        finish=settings.FEED_WEIGHT_FINISH,
        rewatch=settings.FEED_WEIGHT_REWATCH,
        like=settings.FEED_WEIGHT_LIKE,
        save=settings.FEED_WEIGHT_SAVE,
        share=settings.FEED_WEIGHT_SHARE,
        watch_positive_ratio=settings.FEED_WATCH_POSITIVE_RATIO,
        skip_negative_ms=settings.FEED_SKIP_NEGATIVE_MS,
        skip_strength=settings.FEED_SKIP_PENALTY,
        not_interested_strength=settings.FEED_NOT_INTERESTED_PENALTY,
    )


@dataclass(frozen=True)
class TasteEvent:
    """One stored interaction, with what the update maths needs about its video."""

    user_id: int | None
    session_id: str
    video_id: int
    type: str
    watch_ms: int
    duration_s: float | None
    vector: np.ndarray | None  # the video's vector in the active version, if it has one


def taste_apply_events(
    *,
    events: Sequence[TasteEvent],
    positives_before: dict[str, list[int]] | None = None,
    session: bool = True,
) -> dict[str, list[int]]:
    """The update maths for already-stored events of any number of users, in time order:
    long-term taste, co-engagement, video stats and hidden videos in one transaction, then
    Redis (recent positives, seen videos and - with session=True - session taste).

    positives_before: each owner's recent positives (newest first) before these events; read
    from Redis when not given. Returns each owner's recent positives after the events, so a
    caller feeding many chunks can pass them on.
    """
    if not events:
        return positives_before or {}
    if positives_before is None:
        owners = {state.owner_key(user_id=e.user_id, session_id=e.session_id) for e in events}
        positives_before = state.recent_positives_many(owners=sorted(owners))
    with transaction.atomic():
        histories, positives_after = taste_db_apply(
            events=events, positives_before=positives_before
        )
    taste_redis_apply(events=events if session else [], histories=histories)
    return {**positives_before, **positives_after}


def taste_db_apply(
    *, events: Sequence[TasteEvent], positives_before: dict[str, list[int]]
) -> tuple[dict[str, tuple[list[int], list[int]]], dict[str, list[int]]]:
    """DB half of the update (call inside a transaction). Returns per owner (new positives in
    time order, seen video ids) for the Redis half, and each owner's recent positives after."""
    weights = taste_weights()
    version = active_embedding_version()
    by_user: dict[int, list[tuple[np.ndarray, float]]] = defaultdict(list)
    pair_counts: Counter[tuple[int, int]] = Counter()
    stats: dict[int, Counter[str]] = defaultdict(Counter)
    hidden: set[tuple[int, int]] = set()
    histories: dict[str, tuple[list[int], list[int]]] = {}
    recent: dict[str, list[int]] = {}
    keep = settings.FEED_COENGAGEMENT_RECENT
    for event in events:
        owner = state.owner_key(user_id=event.user_id, session_id=event.session_id)
        positives, seen = histories.setdefault(owner, ([], []))
        seen.append(event.video_id)
        stats[event.video_id][event.type] += 1
        weight = positive_weight(weights, event.type, event.watch_ms, event.duration_s)
        if event.user_id and weight != 0 and event.vector is not None:
            by_user[event.user_id].append((event.vector, weight))
        if weight > 0:
            history = recent.setdefault(owner, list(positives_before.get(owner, [])))
            pair_counts.update(coengagement_pairs(history, event.video_id))
            history.insert(0, event.video_id)
            del history[keep:]
            positives.append(event.video_id)
        if event.type == "not_interested" and event.user_id:
            hidden.add((event.user_id, event.video_id))
    # The writes need no answer: pipelined, they cost one round trip instead of one each
    # (an error still raises here, inside the caller's transaction).
    with _pipeline():
        if by_user and version:
            _long_term_apply(by_user=by_user, version=version)
        _coengagement_upsert(pair_counts)
        _stats_upsert(stats)
        if hidden:
            HiddenVideo.objects.bulk_create(
                [HiddenVideo(user_id=u, video_id=v) for u, v in sorted(hidden)],
                ignore_conflicts=True,
            )
    stats_forget(stats)  # this process ranks on the new counts at once
    return histories, recent


def _pipeline() -> contextlib.AbstractContextManager:
    """psycopg's pipeline mode on Django's connection (a no-op context for other drivers)."""
    connection.ensure_connection()
    pipeline = getattr(connection.connection, "pipeline", None)
    return pipeline() if pipeline is not None else contextlib.nullcontext()


def _vector_text(vector: np.ndarray) -> str:
    # repr of each float32 (as a Python float) round-trips exactly, as pgvector's own adapter.
    return "[" + ",".join(map(repr, np.asarray(vector, dtype=np.float32).tolist())) + "]"


def _long_term_apply(*, by_user: dict[int, list[tuple[np.ndarray, float]]], version: str) -> None:
    """S += sum w e, W += sum w per user; rows locked so concurrent batches don't lose updates.
    One locking read (S arrives in binary) and one upsert for all users."""
    stored = {
        int(user_id): (vector_decode(raw), float(total), int(count or 0))
        for user_id, raw, total, count in binary_rows(
            "SELECT user_id, vector_send(weighted_sum), weight_total, positive_count "
            "FROM profiles_tasteprofile WHERE embedding_version = %s AND user_id = ANY(%s) "
            "FOR UPDATE",
            [version, list(by_user)],
        )
    }
    changed: list[tuple[int, str, str, float, int]] = []
    for user_id, items in by_user.items():
        vectors = np.stack([vector for vector, _ in items])
        weights = [weight for _, weight in items]
        dim = vectors.shape[1]
        if user_id not in stored:
            if sum(weights) <= 0:
                continue
            weighted_sum, weight_total, positive_count = np.zeros(dim, dtype=np.float32), 0.0, 0
        else:
            weighted_sum, weight_total, positive_count = stored[user_id]
            if weighted_sum is None or len(weighted_sum) != dim:
                weighted_sum, weight_total = np.zeros(dim, dtype=np.float32), 0.0
        new_sum, new_total, vector = taste_accumulate(weighted_sum, weight_total, vectors, weights)
        positive_count = max(0, positive_count + sum(1 if w > 0 else -1 for w in weights))
        changed.append(
            (user_id, _vector_text(vector), _vector_text(new_sum), new_total, positive_count)
        )
    if changed:
        columns = [list(column) for column in zip(*changed, strict=True)]
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO profiles_tasteprofile (user_id, embedding_version, vector, "
                "weighted_sum, weight_total, positive_count, updated_at) "
                "SELECT u, %s, v::vector, s::vector, w, p, now() FROM unnest("
                "%s::bigint[], %s::text[], %s::text[], %s::float8[], %s::int[]) "
                "AS x(u, v, s, w, p) "
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
            "INSERT INTO feed_coengagement (video_a_id, video_b_id, count) "
            "SELECT a, b, c FROM unnest(%s::bigint[], %s::bigint[], %s::int[]) AS x(a, b, c) "
            "ON CONFLICT (video_a_id, video_b_id) "
            "DO UPDATE SET count = feed_coengagement.count + EXCLUDED.count",
            [[a for (a, _), _ in pairs], [b for (_, b), _ in pairs], [c for _, c in pairs]],
        )


STAT_COLUMNS = {
    "impression": "impressions",
    "play": "plays",
    "finish": "finishes",
    "skip": "skips",
    "like": "likes",
    "share": "shares",
}


def _stats_upsert(stats: dict[int, Counter[str]]) -> None:
    rows = sorted(
        (video_id, *(counter.get(t, 0) for t in STAT_COLUMNS))
        for video_id, counter in stats.items()
        if any(counter.get(t, 0) for t in STAT_COLUMNS)
    )
    if not rows:
        return
    columns = list(STAT_COLUMNS.values())
    arrays = [list(col) for col in zip(*rows, strict=True)]
    updates = ", ".join(f"{c} = feed_videostats.{c} + EXCLUDED.{c}" for c in columns)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO feed_videostats (video_id, {', '.join(columns)}, updated_at) "
            f"SELECT *, now() FROM unnest(%s::bigint[], {', '.join(['%s::bigint[]'] * 6)}) "
            f"ON CONFLICT (video_id) DO UPDATE SET {updates}, updated_at = now()",
            arrays,
        )
        # The public view counter on cards and profiles counts plays.
        plays = [
            (video_id, counter["play"])
            for video_id, counter in stats.items()
            if counter.get("play")
        ]
        if plays:
            cursor.execute(
                "UPDATE videos_video v SET view_count = v.view_count + d.n "
                "FROM unnest(%s::bigint[], %s::bigint[]) AS d(id, n) WHERE v.id = d.id",
                [[video_id for video_id, _ in plays], [n for _, n in plays]],
            )


def taste_redis_apply(
    *, events: Sequence[TasteEvent], histories: dict[str, tuple[list[int], list[int]]]
) -> None:
    """Redis half, after the commit: recent positives, seen videos, session taste."""
    state.owner_history_apply(histories=histories)
    weights = taste_weights()
    by_session: dict[tuple[str, str], list[state.SessionUpdate]] = defaultdict(list)
    for event in events:
        if not event.session_id:
            continue  # server-side events without a session only feed the long-term taste
        owner = state.owner_key(user_id=event.user_id, session_id=event.session_id)
        by_session[(owner, event.session_id)].append(
            state.SessionUpdate(
                vector=event.vector,
                weight=positive_weight(weights, event.type, event.watch_ms, event.duration_s),
                strength=negative_strength(weights, event.type, event.watch_ms),
                video_id=event.video_id,
                hide=event.type == "not_interested",
            )
        )
    for (owner, session_id), updates in by_session.items():
        state.session_updates_apply(owner=owner, session_id=session_id, updates=updates)
