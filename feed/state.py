"""Feed state in Redis: session taste (EMA, evidence, recent negatives), served and seen videos,
recent positives, trending and fresh lists. Every key starts with "feed:"."""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import secrets
import time
from collections.abc import Iterable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field

import numpy as np
import redis
from django.conf import settings

from feed import taste_maths
from feed.session_interests import SessionInterests, interests_parse, interests_update
from tiktok.db.threads import helper_pool

logger = logging.getLogger(__name__)

PREFIX = "feed:"
TRENDING_KEY = PREFIX + "trending"  # zset video_id -> score
FRESH_KEY = PREFIX + "fresh"  # JSON list of [video id, finishes, exposures], newest first
COLD_START_KEY = PREFIX + "coldstart"  # JSON list of video ids (top per tag category)
ARMS_KEY = PREFIX + "arms"  # JSON interest-arm catalogue (feed/interest_arms.py)
ARMS_VERSION_KEY = PREFIX + "arms:v"  # a digest of it: pages read the catalogue when it changes
ARM_OF_KEY = PREFIX + "armof"  # hash video id -> arm key
VERSION_DIM_SECONDS = 24 * 3600  # a version's dimension never changes; the TTL only tidies
MAX_SESSION_NEGATIVES = 20
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
OWNER_HISTORY_TTL_SECONDS = 30 * 24 * 3600


@functools.cache
def _client_for(url: str) -> redis.Redis:
    return redis.Redis.from_url(url)


def redis_client() -> redis.Redis:
    return _client_for(settings.REDIS_URL)


def owner_key(*, user_id: int | None, session_id: str) -> str:
    """Whose history this is: the user, or (anonymous) the session itself."""
    return f"u{user_id}" if user_id else f"a{session_id}"


def _session_hash(owner: str, session_id: str) -> str:
    return f"{PREFIX}s:{owner}:{session_id}"


def _served_set(owner: str, session_id: str) -> str:
    return f"{PREFIX}served:{owner}:{session_id}"


def _hidden_set(owner: str, session_id: str) -> str:
    """The videos the session marked not interested (also in its served set): a release never
    takes them out, and a retried page leaves them out (an anonymous viewer has no HiddenVideo
    rows)."""
    return f"{PREFIX}hidden:{owner}:{session_id}"


def _page_lock(owner: str, session_id: str) -> str:
    return f"{PREFIX}pagelock:{owner}:{session_id}"


def _page_memo(owner: str, session_id: str, token: str) -> str:
    return f"{PREFIX}page:{owner}:{session_id}:{token}"


def _positives_list(owner: str) -> str:
    return f"{PREFIX}pos:{owner}"


def _history_lock(owner: str) -> str:
    return f"{PREFIX}histlock:{owner}"


def _seen_zset(owner: str) -> str:
    return f"{PREFIX}seen:{owner}"


def _version_dim_key(embedding_version: str) -> str:
    return f"{PREFIX}dim:{embedding_version}"


def _history_ttl(owner: str) -> int:
    return OWNER_HISTORY_TTL_SECONDS if owner.startswith("u") else settings.SESSION_TTL_SECONDS


@dataclass
class SessionTaste:
    vector: np.ndarray | None = None
    weight: float = 0.0
    negatives: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), dtype=np.float32))
    strengths: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.float32))
    interests: SessionInterests = field(default_factory=SessionInterests)

    def as_mapping(self) -> dict[str, bytes | str]:
        mapping: dict[str, bytes | str] = {"w": repr(float(self.weight))}
        mapping.update(self.interests.as_mapping())
        if self.vector is not None:
            mapping["vec"] = np.asarray(self.vector, dtype=np.float32).tobytes()
        if len(self.strengths):
            mapping["neg"] = np.asarray(self.negatives, dtype=np.float32).tobytes()
            mapping["negs"] = np.asarray(self.strengths, dtype=np.float32).tobytes()
        return mapping


def session_taste_parse(raw: dict[bytes, bytes], dim: int | None) -> SessionTaste:
    """Decode a session hash; vectors of another dimension (a version switch) are dropped."""
    taste = SessionTaste()
    if not raw:
        return taste
    taste.weight = float(raw.get(b"w", b"0") or 0)
    taste.interests = interests_parse(raw, dim)
    if b"vec" in raw:
        vector = np.frombuffer(raw[b"vec"], dtype=np.float32)
        if dim is None or len(vector) == dim:
            taste.vector = vector.copy()
            dim = len(vector)
        else:
            taste.weight = 0.0
    if b"negs" in raw:
        strengths = np.frombuffer(raw[b"negs"], dtype=np.float32)
        negatives = np.frombuffer(raw.get(b"neg", b""), dtype=np.float32)
        if dim is None and len(strengths):  # no vector to tell the dimension: the rows do
            dim = len(negatives) // len(strengths)
        if dim and len(negatives) == len(strengths) * dim:
            taste.strengths = strengths.copy()
            taste.negatives = negatives.reshape(len(strengths), dim).copy()
    return taste


# Deletes a lock (KEYS[1]: a page lock, a history lock) only while it still holds this
# request's token (ARGV[1]).
UNLOCK_SCRIPT = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""
LOCK_POLL_SECONDS = 0.01


def _lock_pause() -> None:
    """The pause between two tries to take a lock another request holds."""
    time.sleep(LOCK_POLL_SECONDS)


# One batch of an owner's events is recorded at a time (see interaction_state_load).
HISTORY_LOCK_SECONDS = 10
HISTORY_LOCK_WAIT_SECONDS = 5


@dataclass(frozen=True)
class PageStart:
    """A page request's start: the lock it holds on its session's pages (None when waiting
    for it timed out) and the remembered answer of its cursor, if any."""

    lock: str | None
    memo: dict | None


def page_start(
    *, owner: str, session_id: str, cursor_token: str, lock_required: bool = False
) -> PageStart:
    """Take the session's page lock (one page of a session is built at a time, so two
    concurrent requests - a re-plan racing the next page, a duplicated tab - never both read
    the served set before either wrote it) and read the cursor's remembered answer, in one
    round trip per try. A remembered answer is returned at once, without the lock, unless
    lock_required (a retry that changes the session must read the answer under the lock).
    Waits at most FEED_PAGE_LOCK_WAIT_SECONDS, then goes on unlocked."""
    client = redis_client()
    token = secrets.token_hex(8)
    lock_key = _page_lock(owner, session_id)
    lock_ms = int(settings.FEED_PAGE_LOCK_SECONDS * 1000)
    deadline = time.monotonic() + settings.FEED_PAGE_LOCK_WAIT_SECONDS
    while True:
        pipe = client.pipeline(transaction=False)
        pipe.set(lock_key, token, nx=True, px=lock_ms)
        if cursor_token:
            pipe.get(_page_memo(owner, session_id, cursor_token))
        locked, *memo = pipe.execute()
        raw = memo[0] if memo else None
        if locked or (raw is not None and not lock_required) or time.monotonic() >= deadline:
            break
        _lock_pause()
    if not locked and (raw is None or lock_required):
        logger.warning("page of session %s answered without its lock: waiting timed out", owner)
    return PageStart(lock=token if locked else None, memo=json.loads(raw) if raw else None)


def page_finish(
    *, owner: str, session_id: str, lock: str | None, cursor_token: str, memo: dict | None
) -> None:
    """Remember the page's answer under its cursor's token (FEED_PAGE_MEMO_SECONDS) and free
    the session's page lock, in one round trip."""
    pipe = redis_client().pipeline(transaction=False)
    if cursor_token and memo is not None:
        pipe.set(
            _page_memo(owner, session_id, cursor_token),
            json.dumps(memo, separators=(",", ":")),
            ex=settings.FEED_PAGE_MEMO_SECONDS,
        )
    if lock:
        pipe.eval(UNLOCK_SCRIPT, 1, _page_lock(owner, session_id), lock)
    if pipe.command_stack:
        pipe.execute()


@dataclass
class FeedState:
    """Everything the page builder reads from Redis, fetched in one round trip."""

    session: SessionTaste
    served: set[int]
    seen: set[int]
    recent_positives: list[int]
    trending: list[int]  # best first
    fresh: list[int] | None
    # (finishes, exposures) of each fresh video when the list was computed: the bandit's prior.
    fresh_stats: dict[int, tuple[float, float]]
    cold_start: list[int] | None
    trending_missing: bool
    version_dim: int | None = None  # the vector dimension of the embedding version, if known
    arms_version: str | None = None  # digest of the stored interest-arm catalogue
    # The values of the caller's `extra_keys` (None for a key that does not exist).
    extra: dict[str, bytes | None] = field(default_factory=dict)


def feed_state_load(
    *,
    owner: str,
    session_id: str,
    trending_count: int,
    embedding_version: str | None = None,
    extra_keys: Sequence[str] = (),
) -> FeedState:
    """Everything a page reads from Redis, with the values of `extra_keys` (lists other apps
    keep for the page: feed/exploration.py). The session taste keeps its own dimension; the page
    drops it when it does not match the long-term taste's (an embedding version switch)."""
    client = redis_client()
    pipe = client.pipeline(transaction=False)
    pipe.hgetall(_session_hash(owner, session_id))
    pipe.smembers(_served_set(owner, session_id))
    pipe.zrange(_seen_zset(owner), 0, -1)
    pipe.lrange(_positives_list(owner), 0, settings.FEED_COENGAGEMENT_RECENT - 1)
    pipe.zrevrange(TRENDING_KEY, 0, trending_count - 1)
    pipe.get(FRESH_KEY)
    pipe.get(COLD_START_KEY)
    pipe.exists(TRENDING_KEY)
    pipe.get(_version_dim_key(embedding_version or ""))
    pipe.get(ARMS_VERSION_KEY)
    for key in extra_keys:
        pipe.get(key)
    (raw, served, seen, positives, trending, fresh, cold, trending_exists, dim, arms, *extra) = (
        pipe.execute()
    )
    fresh_ids, fresh_stats = _fresh_parse(fresh)
    return FeedState(
        session=session_taste_parse(raw, None),
        served={int(x) for x in served},
        seen={int(x) for x in seen},
        recent_positives=[int(x) for x in positives],
        trending=[int(member) for member in trending],
        fresh=fresh_ids,
        fresh_stats=fresh_stats,
        cold_start=json.loads(cold) if cold else None,
        trending_missing=not trending_exists,
        version_dim=int(dim) if dim and embedding_version else None,
        arms_version=arms.decode() if arms else None,
        extra=dict(zip(extra_keys, extra, strict=True)),
    )


def version_dim_remember(embedding_version: str, dim: int) -> None:
    redis_client().set(_version_dim_key(embedding_version), int(dim), ex=VERSION_DIM_SECONDS)


# The fresh list is the same for every page until its next computation: the last one parsed is
# kept (read-only for its users) while the stored bytes stay the same.
_fresh_parsed: dict[str, tuple[bytes, tuple[list[int], dict[int, tuple[float, float]]]]] = {}


def _fresh_parse(raw: bytes | None) -> tuple[list[int] | None, dict[int, tuple[float, float]]]:
    """The fresh list: [id, finishes, exposures] rows (plain ids, as stored before, count as
    unexposed)."""
    if not raw:
        return None, {}
    last = _fresh_parsed.get("last")
    if last is not None and last[0] == raw:
        return last[1]
    ids: list[int] = []
    stats: dict[int, tuple[float, float]] = {}
    for entry in json.loads(raw):
        if isinstance(entry, list):
            video_id, finishes, exposures = int(entry[0]), float(entry[1]), float(entry[2])
        else:
            video_id, finishes, exposures = int(entry), 0.0, 0.0
        ids.append(video_id)
        stats[video_id] = (finishes, exposures)
    parsed = (ids, stats)
    _fresh_parsed["last"] = (raw, parsed)
    return parsed


def served_add_start(*, owner: str, session_id: str, video_ids: Iterable[int]) -> Future:
    """`served_add` on a helper thread, so the page's card query runs meanwhile; wait for the
    future before answering (the next page must see what this one served)."""
    return helper_pool("feed-served", 2).submit(
        served_add, owner=owner, session_id=session_id, video_ids=list(video_ids)
    )


def served_add(*, owner: str, session_id: str, video_ids: Iterable[int]) -> None:
    ids = list(video_ids)
    if not ids:
        return
    key = _served_set(owner, session_id)
    pipe = redis_client().pipeline(transaction=False)
    pipe.sadd(key, *ids)
    pipe.expire(key, settings.SESSION_TTL_SECONDS)
    # The session's hides live as long as its served set (a no-op when it hid nothing).
    pipe.expire(_hidden_set(owner, session_id), settings.SESSION_TTL_SECONDS)
    pipe.execute()


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
) -> SessionWrite | None:
    """Fold a batch of events into the session taste: raw is the session hash as read
    (`interaction_state_load`); the new one is written, with the TTL, on the caller's pipeline,
    only if no other batch wrote it since (its revision); the caller passes the pipeline's
    results and the returned write to `session_writes_settle`."""
    if not updates:
        return None
    key = _session_hash(owner, session_id)
    dims = {len(u.vector) for u in updates if u.vector is not None}
    taste = session_taste_parse(raw, next(iter(dims)) if len(dims) == 1 else None)
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
    if hidden:
        for key in (_served_set(owner, session_id), _hidden_set(owner, session_id)):
            pipe.sadd(key, *hidden)
            pipe.expire(key, settings.SESSION_TTL_SECONDS)
    return SessionWrite(owner=owner, session_id=session_id, updates=tuple(updates), index=index)


def session_writes_settle(writes: Sequence[SessionWrite], results: Sequence) -> None:
    """Fold in again, on the session as it is now, the writes that lost to a concurrent batch
    of the same session (two tabs, or a client flushing queued batches at once): without this
    the last writer's session taste would replace the others' updates."""
    pending = [write for write in writes if not results[write.index]]
    client = redis_client()
    for _ in range(SESSION_WRITE_ATTEMPTS):
        if not pending:
            return
        reads = client.pipeline(transaction=False)
        for write in pending:
            reads.hgetall(_session_hash(write.owner, write.session_id))
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
    keep_seen = settings.FEED_SEEN_MAX
    for owner, (positives, seen) in histories.items():
        ttl = _history_ttl(owner)
        if positives:
            key = _positives_list(owner)
            latest_last = list(reversed(dict.fromkeys(reversed(positives))))
            for video_id in latest_last:
                pipe.lrem(key, 0, video_id)
            pipe.lpush(key, *latest_last)
            pipe.ltrim(key, 0, keep_positives - 1)
            pipe.expire(key, ttl)
        if seen:
            key = _seen_zset(owner)
            pipe.zadd(key, {str(video_id): now_s for video_id in seen})
            pipe.zremrangebyscore(key, "-inf", now_s - settings.FEED_SEEN_DAYS * 86400)
            pipe.zremrangebyrank(key, 0, -keep_seen - 1)
            pipe.expire(key, min(ttl, settings.FEED_SEEN_DAYS * 86400))


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
    client = redis_client()
    wanted = sorted(set(owners)) if lock else []
    tokens = {owner: secrets.token_hex(8) for owner in wanted}
    deadline = time.monotonic() + HISTORY_LOCK_WAIT_SECONDS
    lock_ms = HISTORY_LOCK_SECONDS * 1000
    while True:
        pipe = client.pipeline(transaction=False)
        for owner in wanted:
            pipe.set(_history_lock(owner), tokens[owner], nx=True, px=lock_ms)
        for owner in owners:
            pipe.lrange(_positives_list(owner), 0, settings.FEED_COENGAGEMENT_RECENT - 1)
        for owner, session_id in sessions:
            pipe.hgetall(_session_hash(owner, session_id))
        ids = list(dict.fromkeys(int(v) for v in video_ids))
        if ids:
            pipe.hmget(ARM_OF_KEY, ids)
        results = pipe.execute()
        held = {o: tokens[o] for o, ok in zip(wanted, results[: len(wanted)], strict=True) if ok}
        if len(held) == len(wanted) or time.monotonic() >= deadline:
            break
        history_locks_free(held)  # all or none: never hold one while waiting for another
        _lock_pause()
    if len(held) < len(wanted):
        logger.warning("batch of %s recorded without its history lock: waiting timed out", wanted)
    results = results[len(wanted) :]
    positives = {
        owner: [int(x) for x in values]
        for owner, values in zip(owners, results[: len(owners)], strict=True)
    }
    raws = dict(zip(sessions, results[len(owners) : len(owners) + len(sessions)], strict=True))
    arms = _arms_decoded(ids, results[-1]) if ids else {}
    return InteractionState(positives=positives, session_raws=raws, arms=arms, locks=held)


def history_locks_free(locks: dict[str, str], *, pipe: redis.client.Pipeline | None = None) -> None:
    """Free the history locks a batch holds: queued on the caller's pipeline (after the
    batch's writes), or at once."""
    if not locks:
        return
    target = pipe if pipe is not None else redis_client().pipeline(transaction=False)
    for owner, token in locks.items():
        target.eval(UNLOCK_SCRIPT, 1, _history_lock(owner), token)
    if pipe is None:
        target.execute()


def recent_positives_many(*, owners: Sequence[str]) -> dict[str, list[int]]:
    return interaction_state_load(owners=owners, sessions=()).positives


def arms_store(*, encoded: str, arm_of: dict[int, str], chunk: int = 5000) -> None:
    """Replace the arm catalogue and the video -> arm map (built under a temporary key and
    renamed, so readers never see half a map)."""
    client = redis_client()
    staging = ARM_OF_KEY + ":next"
    client.delete(staging)
    items = list(arm_of.items())
    for start in range(0, len(items), chunk):
        client.hset(staging, mapping=dict(items[start : start + chunk]))
    pipe = client.pipeline(transaction=True)
    if items:
        pipe.rename(staging, ARM_OF_KEY)
    else:
        pipe.delete(ARM_OF_KEY)
    pipe.set(ARMS_KEY, encoded)
    pipe.set(ARMS_VERSION_KEY, hashlib.sha1(encoded.encode()).hexdigest())
    pipe.execute()


def arms_of(video_ids: Sequence[int]) -> dict[int, str]:
    """The interest arm of each of these videos that has one (one HMGET)."""
    ids = [int(v) for v in video_ids]
    if not ids:
        return {}
    return _arms_decoded(ids, redis_client().hmget(ARM_OF_KEY, ids))


def _arms_decoded(ids: list[int], found: list[bytes | None]) -> dict[int, str]:
    """HMGET answers on the video -> arm hash, for the videos that have an arm."""
    return {v: arm.decode() for v, arm in zip(ids, found, strict=True) if arm}


def arms_read() -> tuple[str | None, bytes | None]:
    """(digest, the stored interest-arm catalogue) as one consistent pair."""
    pipe = redis_client().pipeline(transaction=True)
    pipe.get(ARMS_VERSION_KEY)
    pipe.get(ARMS_KEY)
    version, raw = pipe.execute()
    return (version.decode() if version else None), raw


# Takes ARGV's ids out of the served set (KEYS[1]) except those the session hid (KEYS[2]).
SERVED_RELEASE_SCRIPT = """
for _, id in ipairs(ARGV) do
  if redis.call('SISMEMBER', KEYS[2], id) == 0 then redis.call('SREM', KEYS[1], id) end
end
return 0
"""


def served_release(*, owner: str, session_id: str, video_ids: Iterable[int]) -> None:
    """Take videos the client dropped from its queue unshown out of the session's served set:
    a later page may offer them again. Never one the session marked not interested (a client
    may release what it hid, and an anonymous viewer's hides live only in the session)."""
    ids = [int(v) for v in video_ids]
    if ids:
        redis_client().eval(
            SERVED_RELEASE_SCRIPT,
            2,
            _served_set(owner, session_id),
            _hidden_set(owner, session_id),
            *ids,
        )


def session_hidden(*, owner: str, session_id: str) -> set[int]:
    """The videos the session marked not interested."""
    return {int(v) for v in redis_client().smembers(_hidden_set(owner, session_id))}


LISTS_REBUILD_KEY = f"{PREFIX}lists:rebuilding"


def lists_refresh_claim(*, seconds: int) -> bool:
    """Whether this process may rebuild the missing trending lists (no other one is at it)."""
    return bool(redis_client().set(LISTS_REBUILD_KEY, "1", nx=True, ex=seconds))


def lists_refresh_release() -> None:
    redis_client().delete(LISTS_REBUILD_KEY)


def lists_store(
    *,
    trending: dict[int, float],
    fresh: Sequence[tuple[int, float, float]],
    cold_start: list[int],
) -> None:
    """Replace the trending zset and the fresh (id, finishes, exposures) / cold-start lists
    atomically."""
    pipe = redis_client().pipeline(transaction=True)
    pipe.delete(TRENDING_KEY)
    if trending:
        pipe.zadd(TRENDING_KEY, {str(k): v for k, v in trending.items()})
    else:  # an empty catalogue still counts as computed
        pipe.zadd(TRENDING_KEY, {"0": 0.0})
    pipe.set(FRESH_KEY, json.dumps([[int(v), float(f), float(e)] for v, f, e in fresh]))
    pipe.set(COLD_START_KEY, json.dumps(cold_start))
    pipe.execute()
