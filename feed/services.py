"""Feed writes: interaction events -> long-term taste, session taste, co-engagement, stats.

Entry points (the API, engagement events and the evaluator all go through the same update
maths, `feed.taste.taste_update`):
- `interactions_record(*, user, session_id, events)`: the validated API path (one batch, one
  transaction for the events and hidden videos; Redis session state updated after the commit;
  long-term taste, co-engagement and stats queued for `feed.aggregates.aggregates_flush`).
- `interaction_emit(*, user, session_id, video, type, watch_ms=0)`: one server-side event
  (the receiver of the videos app's `engagement_recorded`: likes, saves, shares).
- the trusted bulk path for many users at once (evaluation, imports) is
  `feed.ingest.interactions_ingest`.
"""

from __future__ import annotations

import contextlib
import logging
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import Any

import numpy as np
import redis
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from feed import interaction_state, state
from feed.aggregates import (
    COUNTED_ONCE,
    COUNTED_STATS,
    aggregates_apply_once,
    aggregates_enqueue,
    hidden_insert,
)
from feed.event_input import (
    DEFAULT_TRAFFIC_SOURCE,
    EventRejected,
    ParsedEvent,
    event_parse,
    traffic_source_problem,
    watch_ms_capped,
)
from feed.events import videos_finished_announce
from feed.models import CountedEngagement, Interaction
from feed.scheduling import aggregates_pushed
from feed.taste import (
    TasteEvent,
    counted_candidates,
    taste_redis_apply,
    taste_update,
)
from feed.vector_reads import (
    cached_vectors,
    vector_decode,
    vectors_remember,
)
from profiles.viewers import viewer_id
from tiktok.db.binary import binary_rows
from tiktok.db.sql import int_array, table
from tiktok.errors import InvalidInput, TooLarge
from videos.models import Video, VideoEmbedding
from videos.services.videos import videos_hold
from videos.versions import active_embedding_version
from videos.visibility import visible_where

logger = logging.getLogger(__name__)


def _within_session_cap(
    parsed: list[tuple[int, ParsedEvent]], *, session_id: str, rejected: list[dict[str, Any]]
) -> list[tuple[int, ParsedEvent]]:
    """A posted batch's events of at most FEED_MAX_SESSIONS_PER_BATCH sessions, the request's
    first; the others are rejected (`too_many_sessions`)."""
    named = [event.session_id for _, event in parsed if event.session_id]
    allowed = list(dict.fromkeys(([session_id] if session_id else []) + named))
    allowed = set(allowed[: settings.FEED_MAX_SESSIONS_PER_BATCH])
    kept = []
    for index, event in parsed:
        if event.session_id and event.session_id not in allowed:
            rejected.append(
                {
                    "index": index,
                    "error": "too_many_sessions",
                    "detail": f"one batch may name at most {settings.FEED_MAX_SESSIONS_PER_BATCH} "
                    "sessions: send each session's events in its own request",
                }
            )
        else:
            kept.append((index, event))
    return kept


def interactions_record(
    *,
    user: Any,
    session_id: str,
    events: list[dict],
    traffic_source: str | None = None,
    from_client: bool = False,
    client: str | None = None,
) -> dict[str, Any]:
    """Validate and store a batch of client events; update taste for the new ones.

    client: who posted the batch, for the budget of new session tastes
    (`feed.state.new_sessions_admit`: FEED_NEW_SESSIONS_PER_ACCOUNT for an account,
    FEED_NEW_SESSIONS_PER_ADDRESS for an anonymous client's address); None for trusted callers.
    Sessions beyond it are answered in `sessions_not_kept`: their events are stored, their
    taste is not.

    from_client=True for a batch a client posted (the API): its likes, saves and shares are
    rejected (`engagement_event`), since only their endpoints, which keep the like, save and
    share rows, may record them (`interaction_emit`).

    Each invalid event is rejected with its index and reason while valid ones land; events whose
    event_id was seen before count as duplicates and change nothing. `traffic_source` is the
    batch's (one page, one source); an event's own `traffic_source` overrides it.
    """
    if traffic_source is None:
        traffic_source = DEFAULT_TRAFFIC_SOURCE
    problem = traffic_source_problem(traffic_source)
    if problem:
        raise InvalidInput(
            problem, code="invalid_traffic_source", fields={"traffic_source": [problem]}
        )
    if not isinstance(events, list):
        raise InvalidInput("the body must be a list of events", code="invalid_batch")
    if not events:
        raise InvalidInput("send at least one event", code="empty_batch")
    if len(events) > settings.FEED_MAX_EVENTS_PER_BATCH:
        raise TooLarge(
            f"at most {settings.FEED_MAX_EVENTS_PER_BATCH} events per request",
            code="batch_too_large",
        )
    now = timezone.now()
    rejected: list[dict[str, Any]] = []
    parsed: list[tuple[int, ParsedEvent]] = []
    for index, raw in enumerate(events):
        try:
            parsed.append(
                (
                    index,
                    event_parse(
                        raw,
                        default_session_id=session_id,
                        now=now,
                        max_skew_s=settings.FEED_MAX_CLOCK_SKEW_SECONDS,
                        default_traffic_source=traffic_source,
                        engagement=not from_client,
                    ),
                )
            )
        except EventRejected as exc:
            rejected.append({"index": index, "error": exc.code, "detail": exc.detail})
    if from_client:
        parsed = _within_session_cap(parsed, session_id=session_id, rejected=rejected)

    version = active_embedding_version()
    facts = _visible_video_facts(
        viewer=user, video_ids={event.video_id for _, event in parsed}, version=version
    )
    valid: list[ParsedEvent] = []
    duplicates = 0
    index_of: dict[uuid.UUID, int] = {}  # each valid event's place in the batch
    for index, event in parsed:
        if event.video_id not in facts:
            rejected.append(_unknown_video(index, event.video_id))
        elif event.event_id in index_of:
            duplicates += 1
        else:
            index_of[event.event_id] = index
            capped = watch_ms_capped(event.watch_ms, facts[event.video_id][0])
            valid.append(event if capped == event.watch_ms else replace(event, watch_ms=capped))

    user_id = viewer_id(user)
    owners = {state.owner_key(user_id=user_id, session_id=e.session_id) for e in valid}
    # The sessions whose taste the events update (server-side events may have none).
    sessions = {
        (state.owner_key(user_id=user_id, session_id=e.session_id), e.session_id)
        for e in valid
        if e.session_id
    }
    loaded = (
        interaction_state.interaction_state_load(
            owners=sorted(owners),
            sessions=sorted(sessions),
            video_ids=[e.video_id for e in valid if e.session_id],
            lock=True,
        )
        if valid
        else interaction_state.InteractionState(positives={}, session_raws={}, arms={})
    )
    try:
        unkept = (
            _sessions_over_budget(
                client=client,
                user_id=user_id,
                session_id=session_id,
                sessions=sessions,
                raws=loaded.session_raws,
            )
            if client is not None
            else set()
        )
        positives_before = loaded.positives
        with transaction.atomic():
            if valid and not settings.FEED_INTERACTIONS_SYNCHRONOUS_COMMIT:
                _commit_without_flush_wait()
            # A video deleted since its facts were read is rejected as unknown now, instead of
            # failing the whole batch on the foreign key; the rest are kept from deletion to
            # the commit (which a deletion then waits for).
            alive = videos_hold(e.video_id for e in valid)
            for event in valid:
                if event.video_id not in alive:
                    rejected.append(_unknown_video(index_of[event.event_id], event.video_id))
            valid = [event for event in valid if event.video_id in alive]
            valid_events = [
                TasteEvent(
                    user_id=user_id,
                    session_id=event.session_id,
                    video_id=event.video_id,
                    type=event.type,
                    watch_ms=event.watch_ms,
                    duration_s=facts[event.video_id][0],
                    vector=facts[event.video_id][1],
                    version=version,
                )
                for event in valid
            ]
            # What each event would count, checked against what the viewer counted before by
            # the statement that stores the events (only stored, new events leave marks).
            candidates = [
                (event.event_id, event.video_id, stat)
                for event, stats in zip(valid, counted_candidates(valid_events), strict=True)
                for stat in stats
            ]
            inserted, counted = _interactions_insert(
                user_id=user_id, events=valid, candidates=candidates
            )
            fresh = [event for event in valid if event.event_id in inserted]
            taste_events = [
                taste_event
                for taste_event, event in zip(valid_events, valid, strict=True)
                if event.event_id in inserted
            ]
            first = {(user_id, video_id, stat) for video_id, stat in counted}
            update = taste_update(
                events=taste_events, positives_before=positives_before, first=first
            )
            hidden_insert(sorted(update.hidden))  # at once, for every later page and session
            finished = sorted({e.video_id for e in fresh if e.type == "finish"})
            if finished and user_id is not None:
                transaction.on_commit(
                    lambda: videos_finished_announce(user_id=user_id, video_ids=finished),
                    robust=True,
                )
        # Every Redis write of the batch - history, session taste, the queued aggregates - in one
        # round trip.
        pipe = state.redis_client().pipeline(transaction=False)
        session_writes = taste_redis_apply(
            events=taste_events,
            histories=update.histories,
            session_raws=loaded.session_raws,
            arms=loaded.arms,
            pipe=pipe,
            sessions_unkept=unkept,
        )
        update.deltas.batch_id = uuid.uuid4().hex
        pushed = aggregates_enqueue(update.deltas, pipe=pipe)
        interaction_state.history_locks_free(
            loaded.locks, pipe=pipe
        )  # after every write of the batch
        try:
            results = pipe.execute(raise_on_error=False) if pipe.command_stack else []
        except (redis.ConnectionError, redis.TimeoutError):
            results = None  # whether Redis ran the commands is unknown
        if results is None or (pushed >= 0 and isinstance(results[pushed], Exception)):
            # The events and the marks of what they counted are committed: the client's retry
            # is all duplicates, so deltas not written now would be lost for good (and the
            # viewer's later plays of those videos never count). Applied once by id: a push
            # that landed after all is skipped by the flush. The session's taste and seen
            # videos miss this batch.
            logger.warning("Redis failed after the events were stored; aggregates written now")
            if pushed >= 0:
                aggregates_apply_once(update.deltas)
            with contextlib.suppress(redis.RedisError):
                interaction_state.history_locks_free(loaded.locks)
        else:
            if pushed >= 0:
                aggregates_pushed(results[pushed])
            interaction_state.session_writes_settle(session_writes, results)
    except BaseException:
        with contextlib.suppress(redis.RedisError):
            interaction_state.history_locks_free(loaded.locks)
        raise
    rejected.sort(key=lambda item: item["index"])
    result: dict[str, Any] = {
        "accepted": len(fresh),
        "duplicates": duplicates + len(valid) - len(fresh),
        "rejected": rejected,
    }
    if unkept:
        result["sessions_not_kept"] = sorted(session for _, session in unkept)
    return result


def _sessions_over_budget(
    *,
    client: str,
    user_id: int | None,
    session_id: str,
    sessions: set[tuple[str, str]],
    raws: dict[tuple[str, str], dict[bytes, bytes]],
) -> set[tuple[str, str]]:
    """The batch's new sessions (no taste stored yet) beyond the client's budget of new session
    tastes, the request's own session admitted first."""
    new = sorted(
        (key for key in sessions if not raws.get(key)), key=lambda key: (key[1] != session_id, key)
    )
    limit = (
        settings.FEED_NEW_SESSIONS_PER_ACCOUNT
        if user_id
        else settings.FEED_NEW_SESSIONS_PER_ADDRESS
    )
    admitted = state.new_sessions_admit(client=client, sessions=len(new), limit=limit)
    if admitted < len(new):
        logger.info("%s is over its budget of new session tastes", client)
    return set(new[admitted:])


def _unknown_video(index: int, video_id: int) -> dict[str, Any]:
    return {
        "index": index,
        "error": "unknown_video",
        "detail": f"video {video_id} does not exist or is not visible to you",
    }


def interaction_emit(
    *,
    user: Any,
    session_id: str,
    video: Video,
    type: str,  # noqa: A002 - the event's name in the API
    watch_ms: int = 0,
    client: str | None = None,
) -> None:
    """Record one server-side event (uuid4 event_id) through the same path as the API;
    client: who sent the request that caused it (`interactions_record`), None for the server's
    own events."""
    interactions_record(
        user=user,
        session_id=session_id or "",
        client=client,
        events=[
            {
                "event_id": str(uuid.uuid4()),
                "video_id": video.pk,
                "type": type,
                "watch_ms": watch_ms,
            }
        ],
    )


def _visible_video_facts(
    *, viewer: Any, video_ids: set[int], version: str | None
) -> dict[int, tuple[float | None, np.ndarray | None]]:
    """(duration_s, vector) of the given videos the viewer may see, in one query (vectors in
    binary, and only those not already in the process cache)."""
    if not video_ids:
        return {}
    ids = sorted(int(v) for v in video_ids)
    cached, missing = (
        cached_vectors(video_ids=ids, embedding_version=version) if version else ({}, [])
    )
    visible, visible_params = visible_where(viewer=viewer, include_own_unready=True)
    video = table(Video)
    rows = binary_rows(
        f"SELECT {video}.id, {video}.duration_s, "
        f"CASE WHEN {video}.id = ANY(%s::bigint[]) THEN ("
        f"SELECT vector_send(e.embedding) FROM {table(VideoEmbedding)} e "
        f"WHERE e.video_id = {video}.id AND e.embedding_version = %s) END "
        f"FROM {video} WHERE {video}.id = ANY(%s::bigint[]) AND ({visible})",
        [int_array(missing), version or "", int_array(ids), *visible_params],
        prepare=True,  # on every batch of interactions: planned once per connection
    )
    read = {vid: vector_decode(raw) for vid, _, raw in rows if raw is not None}
    if read and version:
        vectors_remember(vectors=read, embedding_version=version)
    cached.update(read)
    return {vid: (duration, cached.get(vid) if version else None) for vid, duration, _ in rows}


def _commit_without_flush_wait() -> None:
    """This transaction commits without waiting for its WAL flush (`synchronous_commit = off`,
    for this transaction only). The flush still happens within moments (wal_writer_delay): a
    PostgreSQL crash in between can lose the last fraction of a second of events together
    with their taste updates (one transaction, so never one without the other), and never
    corrupts anything. Waiting for the flush was the largest and most variable part of an
    interactions request; FEED_INTERACTIONS_SYNCHRONOUS_COMMIT=1 restores it."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL synchronous_commit TO OFF")


def _interactions_insert(
    *,
    user_id: int | None,
    events: Sequence[ParsedEvent],
    candidates: Iterable[tuple[uuid.UUID, int, str]] = (),
) -> tuple[set[uuid.UUID], set[tuple[int, str]]]:
    """Insert the events append-only and, in the same statement, the viewer's marks
    (`CountedEngagement`) of the (event_id, video id, stat) candidates whose events were
    stored now: a duplicate event never marks anything. Returns the event_ids that were new
    and the (video id, stat) the viewer never counted before (ON CONFLICT DO NOTHING both)."""
    if not events:
        return set(), set()
    marks = sorted(
        (str(e), int(v), int(COUNTED_ONCE[stat]))
        for e, v, stat in candidates
        if stat in COUNTED_ONCE
    )
    columns = zip(
        *[
            (
                str(e.event_id),
                user_id,
                e.session_id,
                e.video_id,
                e.type,
                e.watch_ms,
                e.position,
                e.client_ts,
                e.traffic_source,
            )
            for e in events
        ],
        strict=True,
    )
    event_ids, user_ids, sessions, videos, types, watch, positions, client_ts, sources = map(
        list, columns
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "WITH stored AS ("
            f"INSERT INTO {table(Interaction)} "
            "(event_id, user_id, session_id, video_id, type, watch_ms, position, client_ts, "
            "traffic_source, created_at) "
            "SELECT e, u, s, v, t, w, p, c, ts, now() FROM unnest("
            "%s::uuid[], %s::bigint[], %s::text[], %s::bigint[], %s::text[], %s::int[], "
            "%s::int[], %s::timestamptz[], %s::text[]) AS x(e, u, s, v, t, w, p, c, ts) "
            "ON CONFLICT (event_id) DO NOTHING RETURNING event_id), "
            "counted AS ("
            f"INSERT INTO {table(CountedEngagement)} (user_id, video_id, kind) "
            "SELECT DISTINCT %s::bigint, m.v, m.k "
            "FROM unnest(%s::uuid[], %s::bigint[], %s::smallint[]) AS m(e, v, k) "
            "JOIN stored ON stored.event_id = m.e "
            "ON CONFLICT DO NOTHING RETURNING video_id, kind) "
            "SELECT event_id, NULL::bigint, NULL::smallint FROM stored "
            "UNION ALL SELECT NULL, video_id, kind FROM counted",
            [
                event_ids,
                user_ids,
                sessions,
                videos,
                types,
                watch,
                positions,
                client_ts,
                sources,
                user_id,
                [e for e, _, _ in marks],
                [v for _, v, _ in marks],
                [k for _, _, k in marks],
            ],
        )
        inserted: set[uuid.UUID] = set()
        counted: set[tuple[int, str]] = set()
        for event_id, video_id, kind in cursor:
            if event_id is not None:
                inserted.add(event_id if isinstance(event_id, uuid.UUID) else uuid.UUID(event_id))
            else:
                counted.add((video_id, COUNTED_STATS[kind]))
        return inserted, counted
