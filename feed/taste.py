"""The taste update maths for stored interaction events (one code path for the API, the
server-side events and the bulk evaluator): what they add to long-term S/W, co-engagement and
video stats (written behind the request, feed/aggregates.py), hidden videos in the DB; recent
positives, seen videos and session taste in Redis."""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass

import numpy as np
import redis
from django.conf import settings
from django.db import transaction

from feed import interaction_state, state
from feed.aggregates import COUNTED_ONCE, aggregates_apply, hidden_insert
from feed.ranking import coengagement_pairs
from feed.taste_deltas import TasteDeltas
from feed.taste_maths import weighted_total
from feed.weights import TasteWeights, negative_strength, positive_weight
from videos.versions import active_embedding_version

# Events that take an earlier one back: the stat they lower, by how much.
WITHDRAWN_STATS = {"unlike": ("like", -1)}


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
    version: str | None = None  # the embedding version `vector` is of


def taste_apply_events(
    *,
    events: Sequence[TasteEvent],
    positives_before: dict[str, list[int]] | None = None,
    session: bool = True,
) -> dict[str, list[int]]:
    """The update maths for already-stored events of any number of users, in time order, written
    at once (the bulk path): long-term taste, co-engagement, video stats and hidden videos in
    one transaction, then Redis (recent positives, seen videos and - with session=True -
    session taste).

    positives_before: each owner's recent positives (newest first) before these events; read
    from Redis when not given. Returns each owner's recent positives after the events, so a
    caller feeding many chunks can pass them on.
    """
    if not events:
        return positives_before or {}
    if positives_before is None:
        owners = {state.owner_key(user_id=e.user_id, session_id=e.session_id) for e in events}
        positives_before = interaction_state.recent_positives_many(owners=sorted(owners))
    update = taste_update(events=events, positives_before=positives_before)
    with transaction.atomic():
        hidden_insert(sorted(update.hidden))
        aggregates_apply([update.deltas])
    taste_redis_apply(events=events if session else [], histories=update.histories)
    return {**positives_before, **update.recent}


@dataclass
class TasteUpdate:
    """What a batch of events changes: the additive aggregates, the videos to hide, and per
    owner (new positives in time order, seen ids) for Redis and the recent positives after."""

    deltas: TasteDeltas
    hidden: set[tuple[int, int]]
    histories: dict[str, tuple[list[int], list[int]]]
    recent: dict[str, list[int]]


def counted_candidates(events: Sequence[TasteEvent]) -> list[set[str]]:
    """For each event, the stats it would count once for its signed-in viewer
    (feed.aggregates.COUNTED_ONCE; none for anonymous events): what recording the events
    checks against the viewer's `CountedEngagement` marks (feed.services)."""
    weights = taste_weights()
    candidates: list[set[str]] = []
    for event in events:
        stats: set[str] = set()
        if event.user_id:
            stat, _ = WITHDRAWN_STATS.get(event.type, (event.type, 1))
            if stat in COUNTED_ONCE:
                stats.add(stat)
            if positive_weight(weights, event.type, event.watch_ms, event.duration_s) > 0:
                stats.add("positive")
        candidates.append(stats)
    return candidates


def taste_update(
    *,
    events: Sequence[TasteEvent],
    positives_before: dict[str, list[int]],
    first: set[tuple[int, int, str]] | None = None,
) -> TasteUpdate:
    """The update maths (no I/O): each positive adds w e to its user's S and w to W; the first
    positive of a video among the owner's recent ones pairs with them (co-engagement) and
    counts once in the video's positives; every event of a signed-in viewer counts in its
    video's stats (an unlike takes a like off); not_interested hides the video for its user.

    first: the (user id, video id, stat) the viewers have never counted before (their marks,
    inserted with the events by feed.services). With it, a stat in COUNTED_ONCE counts only for
    the first event that is in it, and a positive pairs and counts only if it is in it: each
    viewer counts once per video, however many events they send over any time. None (the bulk
    path) counts every event.

    Anonymous events (anyone can send any number) change only their own session: they move no
    video's stats and no co-engagement pair, so they cannot push a video up for others."""
    unused = set(first) if first is not None else None

    def counts(user_id: int, video_id: int, stat: str) -> bool:
        if unused is None or stat not in COUNTED_ONCE:
            return True
        key = (user_id, video_id, stat)
        if key in unused:
            unused.discard(key)
            return True
        return False

    weights = taste_weights()
    # Filed under the version the events' vectors were read in: read again here, a version
    # switch in between filed old vectors under the new version's taste.
    versions = {event.version for event in events if event.vector is not None and event.version}
    deltas = TasteDeltas(
        version=next(iter(versions)) if len(versions) == 1 else active_embedding_version()
    )
    contributions: dict[int, list[tuple[np.ndarray, float]]] = defaultdict(list)
    hidden: set[tuple[int, int]] = set()
    histories: dict[str, tuple[list[int], list[int]]] = {}
    recent: dict[str, list[int]] = {}
    keep = settings.FEED_COENGAGEMENT_RECENT
    rewatched: set[tuple[int, int]] = set()
    for event in events:
        owner = state.owner_key(user_id=event.user_id, session_id=event.session_id)
        positives, seen = histories.setdefault(owner, ([], []))
        seen.append(event.video_id)
        in_taste = True
        if event.user_id:
            stat, step = WITHDRAWN_STATS.get(event.type, (event.type, 1))
            counted = counts(event.user_id, event.video_id, stat)
            if counted:
                deltas.stats[event.video_id][stat] += step
            if event.type == "rewatch":
                # A client sends one at each loop: a video left looping for an hour took over
                # the viewer's long-term taste for good. Its first rewatch counts, ever.
                in_taste = counted and (event.user_id, event.video_id) not in rewatched
                rewatched.add((event.user_id, event.video_id))
        weight = positive_weight(weights, event.type, event.watch_ms, event.duration_s)
        if event.user_id and weight != 0 and event.vector is not None and in_taste:
            contributions[event.user_id].append((event.vector, weight))
        history = recent.setdefault(owner, list(positives_before.get(owner, [])))
        # One engagement per viewer and video while it is among their recent positives: a view
        # is several positive events (finish, rewatch at each loop, the pause that ends it, a
        # like), and a like taken back and given again is the same like.
        if weight > 0:
            again = event.video_id in history
            if again:  # engaged with again: the most recent, counted once
                history.remove(event.video_id)
            if event.user_id and (
                counts(event.user_id, event.video_id, "positive")
                if unused is not None
                else not again
            ):
                deltas.pairs.update(coengagement_pairs(history, event.video_id))
                deltas.stats[event.video_id]["positive"] += 1
            history.insert(0, event.video_id)
            del history[keep:]
            positives.append(event.video_id)
        if event.type == "not_interested" and event.user_id:
            hidden.add((event.user_id, event.video_id))
    for user_id, items in contributions.items():
        weights_of = [weight for _, weight in items]
        delta_sum, delta_weight = weighted_total([vector for vector, _ in items], weights_of)
        deltas.users[user_id] = (
            delta_sum,
            delta_weight,
            sum(1 if w > 0 else -1 for w in weights_of),
        )
    return TasteUpdate(deltas=deltas, hidden=hidden, histories=histories, recent=recent)


def taste_redis_apply(
    *,
    events: Sequence[TasteEvent],
    histories: dict[str, tuple[list[int], list[int]]],
    session_raws: dict[tuple[str, str], dict[bytes, bytes]] | None = None,
    arms: dict[int, str] | None = None,
    pipe: redis.client.Pipeline | None = None,
    sessions_unkept: Collection[tuple[str, str]] = (),
) -> list[interaction_state.SessionWrite]:
    """Redis half, after the commit: recent positives, seen videos, session taste, in one
    pipelined write. session_raws: the session hashes as already read
    (`interaction_state_load`; read here when not given, with the videos' interest arms);
    pipe: queue the writes on it for the caller to execute, then pass its results and the
    returned session writes to `interaction_state.session_writes_settle`. sessions_unkept:
    (owner, session) pairs over their client's budget (`feed.state.new_sessions_admit`): only
    the videos they hid are written, not a taste (nor, for an anonymous session, its history)."""
    weights = taste_weights()
    by_session: dict[tuple[str, str], list[interaction_state.SessionUpdate]] = defaultdict(list)
    for event in events:
        if not event.session_id:
            continue  # server-side events without a session only feed the long-term taste
        owner = state.owner_key(user_id=event.user_id, session_id=event.session_id)
        by_session[(owner, event.session_id)].append(
            interaction_state.SessionUpdate(
                vector=event.vector,
                version=event.version if event.vector is not None else None,
                weight=positive_weight(weights, event.type, event.watch_ms, event.duration_s),
                strength=negative_strength(weights, event.type, event.watch_ms),
                video_id=event.video_id,
                hide=event.type == "not_interested",
                arm=(arms or {}).get(event.video_id),
            )
        )
    if session_raws is None:
        loaded = interaction_state.interaction_state_load(
            owners=(),
            sessions=sorted(by_session),
            video_ids=[e.video_id for e in events if e.session_id],
        )
        session_raws, arms = loaded.session_raws, loaded.arms
        for updates in by_session.values():
            updates[:] = [dataclasses.replace(u, arm=arms.get(u.video_id)) for u in updates]
    own_pipe = pipe is None
    if pipe is None:
        pipe = state.redis_client().pipeline(transaction=False)
    # An anonymous viewer's history is the session's own: one refused a taste keeps no seen
    # videos or positives either (a client naming a new session per batch filled Redis with
    # them, 45 minutes each, beyond its budget).
    unkept_owners = {owner for owner, _ in sessions_unkept if not owner.startswith("u")}
    interaction_state.owner_history_apply(
        histories={o: h for o, h in histories.items() if o not in unkept_owners}, pipe=pipe
    )
    writes = [
        write
        for (owner, session_id), updates in by_session.items()
        if (
            write := interaction_state.session_updates_apply(
                owner=owner,
                session_id=session_id,
                updates=updates,
                raw=session_raws.get((owner, session_id), {}),
                pipe=pipe,
                taste_kept=(owner, session_id) not in sessions_unkept,
            )
        )
    ]
    if own_pipe and pipe.command_stack:
        interaction_state.session_writes_settle(writes, pipe.execute())
        return []
    return writes
