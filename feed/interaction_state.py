"""What recording a batch of interactions reads and writes in Redis: each owner's recent
positives and seen videos, each session's taste (folded in by revision, so concurrent batches of
one session never overwrite each other's updates), and the per-owner history lock that keeps
two batches of one viewer from counting the same positive twice. The keys and the session
hash's format are `feed.state`'s."""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import redis
from django.conf import settings

from feed import state, taste_maths
from feed.session_interests import interests_update

logger = logging.getLogger(__name__)

# Tries of a session write that lost to another writer (each round one of them wins).
SESSION_WRITE_ATTEMPTS = 20
# A session hash is rewritten only while its revision ("rev") is the one the writer read:
# KEYS[1] the hash; ARGV: the revision read, the TTL, then field, value pairs (with the new rev).
SESSION_WRITE_SCRIPT = """
local current = redis.call('HGET', KEYS[1], 'rev') or ''
if current ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], unpack(ARGV, 3))
redis.call('EXPIRE', KEYS[1], ARGV[2])
return 1
"""

MAX_SESSION_NEGATIVES = 20

# One batch of an owner's events is recorded at a time (see interaction_state_load).
HISTORY_LOCK_SECONDS = 10
HISTORY_LOCK_WAIT_SECONDS = 5


@dataclass(frozen=True)
class SessionUpdate:
    """One event's effect on a session: a positive (weight > 0) moves the EMA; a negative
    (strength > 0) joins the recent negatives; hide=True keeps the video out of the session."""

    vector: np.ndarray | None
    weight: float
    strength: float
    video_id: int
    hide: bool = False
    arm: str | None = None  # the video's interest arm (feed.interest_arms), when it has one
    version: str | None = None  # the embedding version `vector` is of


@dataclass(frozen=True)
class SessionWrite:
    """A session write queued on a pipeline: its result (at `index`) is 0 when another batch
    wrote the session since it was read, and the updates are folded in again
    (`session_writes_settle`)."""

    owner: str
    session_id: str
    updates: tuple[SessionUpdate, ...]
    index: int


def session_updates_apply(
    *,
    owner: str,
    session_id: str,
    updates: Sequence[SessionUpdate],
    raw: dict[bytes, bytes],
    pipe: redis.client.Pipeline,
    taste_kept: bool = True,
) -> SessionWrite | None:
    """Fold a batch of events into the session taste: raw is the session hash as read
    (`interaction_state_load`); the new one is written, with the TTL, on the caller's pipeline,
    only if no other batch wrote it since (its revision); the caller passes the pipeline's
    results and the returned write to `session_writes_settle`. taste_kept=False (a session
    over its client's budget of new sessions) writes only the videos it hid."""
    if not updates:
        return None
    if not taste_kept:
        _hidden_add(owner, session_id, [u.video_id for u in updates if u.hide], pipe)
        return None
    key = state.session_hash_key(owner, session_id)
    dims = {len(u.vector) for u in updates if u.vector is not None}
    versions = {u.version for u in updates if u.vector is not None and u.version}
    version = next(iter(versions)) if len(versions) == 1 else None
    taste = state.session_taste_parse(
        raw, next(iter(dims)) if len(dims) == 1 else None, version=version
    )
    if version:
        taste.version = version
    alpha = settings.FEED_SESSION_ALPHA
    negatives = list(taste.negatives) if len(taste.strengths) else []
    strengths = list(taste.strengths)
    hidden: list[int] = []
    for update in updates:
        if update.hide:
            hidden.append(update.video_id)
        interests_update(
            taste.interests,
            vector=update.vector,
            weight=update.weight,
            strength=update.strength,
            arm=update.arm,
        )
        if update.vector is None:
            continue
        if update.weight > 0:
            taste.vector = taste_maths.ema_update(taste.vector, update.vector, alpha, update.weight)
            taste.weight += update.weight
        elif update.weight < 0:  # an unlike/unsave withdraws that much evidence
            taste.weight = max(0.0, taste.weight + update.weight)
        if update.strength > 0:
            negatives.append(np.asarray(update.vector, dtype=np.float32))
            strengths.append(update.strength)
    if strengths:
        taste.negatives = np.asarray(negatives[-MAX_SESSION_NEGATIVES:], dtype=np.float32)
        taste.strengths = np.asarray(strengths[-MAX_SESSION_NEGATIVES:], dtype=np.float32)
    revision = raw.get(b"rev", b"").decode()
    mapping = {**taste.as_mapping(), "rev": str(int(revision or 0) + 1)}
    index = len(pipe.command_stack)
    pipe.eval(
        SESSION_WRITE_SCRIPT,
        1,
        key,
        revision,
        settings.SESSION_TTL_SECONDS,
        *[part for field_value in mapping.items() for part in field_value],
    )
    _hidden_add(owner, session_id, hidden, pipe)
    return SessionWrite(owner=owner, session_id=session_id, updates=tuple(updates), index=index)


def _hidden_add(
    owner: str, session_id: str, hidden: list[int], pipe: redis.client.Pipeline
) -> None:
    """Keep the videos a session marked not interested out of its pages."""
    if not hidden:
        return
    for key in (state.served_set_key(owner, session_id), state.hidden_set_key(owner, session_id)):
        pipe.sadd(key, *hidden)
        pipe.expire(key, settings.SESSION_TTL_SECONDS)


def session_writes_settle(writes: Sequence[SessionWrite], results: Sequence) -> None:
    """Fold in again, on the session as it is now, the writes that lost to a concurrent batch
    of the same session (two tabs, or a client flushing queued batches at once): without this
    the last writer's session taste would replace the others' updates."""
    pending = [write for write in writes if not results[write.index]]
    client = state.redis_client()
    for _ in range(SESSION_WRITE_ATTEMPTS):
        if not pending:
            return
        reads = client.pipeline(transaction=False)
        for write in pending:
            reads.hgetall(state.session_hash_key(write.owner, write.session_id))
        raws = reads.execute()
        pipe = client.pipeline(transaction=False)
        retried = [
            session_updates_apply(
                owner=write.owner,
                session_id=write.session_id,
                updates=write.updates,
                raw=raw,
                pipe=pipe,
            )
            for write, raw in zip(pending, raws, strict=True)
        ]
        results = pipe.execute()
        pending = [write for write in retried if write is not None and not results[write.index]]
    if pending:
        logger.warning(
            "session taste of %d session(s) not updated: %d concurrent writers kept winning",
            len(pending),
            SESSION_WRITE_ATTEMPTS,
        )


def owner_history_apply(
    *,
    histories: dict[str, tuple[list[int], list[int]]],
    pipe: redis.client.Pipeline,
    now_s: float | None = None,
) -> None:
    """Per owner: (positives in time order, seen video ids), written on the caller's pipeline.
    Recent positives are a capped list (newest first, each video once: one engaged with again
    moves to the front) - the co-engagement and "because" source; seen videos a capped
    zset."""
    if not histories:
        return
    now_s = time.time() if now_s is None else now_s
    keep_positives = settings.FEED_COENGAGEMENT_RECENT
    for owner, (positives, seen) in histories.items():
        ttl = state.history_ttl(owner)
        if positives:
            key = state.positives_list_key(owner)
            latest_last = list(reversed(dict.fromkeys(reversed(positives))))
            for video_id in latest_last:
                pipe.lrem(key, 0, video_id)
            pipe.lpush(key, *latest_last)
            pipe.ltrim(key, 0, keep_positives - 1)
            pipe.expire(key, ttl)
        if seen:
            key = state.seen_zset_key(owner)
            pipe.zadd(key, {str(video_id): now_s for video_id in seen})
            state.seen_trim(pipe, key, owner=owner, now_s=now_s)


@dataclass
class InteractionState:
    """What recording a batch reads from Redis: each owner's recent positives, each (owner,
    session)'s session hash and each event video's interest arm; and the history locks it
    holds (owner -> token), to free with `history_locks_free` once its writes are queued."""

    positives: dict[str, list[int]]
    session_raws: dict[tuple[str, str], dict[bytes, bytes]]
    arms: dict[int, str]
    locks: dict[str, str] = field(default_factory=dict)


def interaction_state_load(
    *,
    owners: Sequence[str],
    sessions: Sequence[tuple[str, str]],
    video_ids: Sequence[int] = (),
    lock: bool = False,
) -> InteractionState:
    """Everything recording a batch reads from Redis, in one round trip.

    lock=True also takes each owner's history lock in that round trip, waiting (at most
    HISTORY_LOCK_WAIT_SECONDS, then going on without it) while another batch of theirs holds
    it: which of a batch's positives are new, and so count in a video's positives and pair
    with the recent ones, depends on the recent positives it read, so two concurrent batches
    of one viewer (a client flushing queued batches at once, two tabs) would each count a
    video both report."""
    client = state.redis_client()
    wanted = sorted(set(owners)) if lock else []
    tokens = {owner: secrets.token_hex(8) for owner in wanted}
    deadline = time.monotonic() + HISTORY_LOCK_WAIT_SECONDS
    lock_ms = HISTORY_LOCK_SECONDS * 1000
    while True:
        pipe = client.pipeline(transaction=False)
        for owner in wanted:
            pipe.set(state.history_lock_key(owner), tokens[owner], nx=True, px=lock_ms)
        for owner in owners:
            pipe.lrange(state.positives_list_key(owner), 0, settings.FEED_COENGAGEMENT_RECENT - 1)
        for owner, session_id in sessions:
            pipe.hgetall(state.session_hash_key(owner, session_id))
        ids = list(dict.fromkeys(int(v) for v in video_ids))
        if ids:
            pipe.hmget(state.ARM_OF_KEY, ids)
        results = pipe.execute()
        held = {o: tokens[o] for o, ok in zip(wanted, results[: len(wanted)], strict=True) if ok}
        if len(held) == len(wanted) or time.monotonic() >= deadline:
            break
        history_locks_free(held)  # all or none: never hold one while waiting for another
        state.lock_pause()
    if len(held) < len(wanted):
        logger.warning("batch of %s recorded without its history lock: waiting timed out", wanted)
    results = results[len(wanted) :]
    positives = {
        owner: [int(x) for x in values]
        for owner, values in zip(owners, results[: len(owners)], strict=True)
    }
    raws = dict(zip(sessions, results[len(owners) : len(owners) + len(sessions)], strict=True))
    arms = state.arms_decoded(ids, results[-1]) if ids else {}
    return InteractionState(positives=positives, session_raws=raws, arms=arms, locks=held)


def history_locks_free(locks: dict[str, str], *, pipe: redis.client.Pipeline | None = None) -> None:
    """Free the history locks a batch holds: queued on the caller's pipeline (after the
    batch's writes), or at once."""
    if not locks:
        return
    target = pipe if pipe is not None else state.redis_client().pipeline(transaction=False)
    for owner, token in locks.items():
        target.eval(state.UNLOCK_SCRIPT, 1, state.history_lock_key(owner), token)
    if pipe is None:
        target.execute()


def recent_positives_many(*, owners: Sequence[str]) -> dict[str, list[int]]:
    return interaction_state_load(owners=owners, sessions=()).positives
