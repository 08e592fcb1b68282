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

from feed.session_interests import SessionInterests, interests_parse
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
OWNER_HISTORY_TTL_SECONDS = 30 * 24 * 3600


@functools.cache
def _client_for(url: str) -> redis.Redis:
    return redis.Redis.from_url(url)


def redis_client() -> redis.Redis:
    return _client_for(settings.REDIS_URL)


def owner_key(*, user_id: int | None, session_id: str) -> str:
    """Whose history this is: the user, or (anonymous) the session itself."""
    return f"u{user_id}" if user_id else f"a{session_id}"


def session_hash_key(owner: str, session_id: str) -> str:
    return f"{PREFIX}s:{owner}:{session_id}"


def served_set_key(owner: str, session_id: str) -> str:
    return f"{PREFIX}served:{owner}:{session_id}"


def hidden_set_key(owner: str, session_id: str) -> str:
    """The videos the session marked not interested (also in its served set): a release never
    takes them out, and a retried page leaves them out (an anonymous viewer has no HiddenVideo
    rows)."""
    return f"{PREFIX}hidden:{owner}:{session_id}"


def _page_lock(owner: str, session_id: str) -> str:
    return f"{PREFIX}pagelock:{owner}:{session_id}"


def _page_memo(owner: str, session_id: str, token: str) -> str:
    return f"{PREFIX}page:{owner}:{session_id}:{token}"


def positives_list_key(owner: str) -> str:
    return f"{PREFIX}pos:{owner}"


def history_lock_key(owner: str) -> str:
    return f"{PREFIX}histlock:{owner}"


def seen_zset_key(owner: str) -> str:
    return f"{PREFIX}seen:{owner}"


def seen_since(now_s: float | None = None) -> float:
    """The oldest moment a seen video is still kept out of the feed (FEED_SEEN_DAYS ago)."""
    return (time.time() if now_s is None else now_s) - settings.FEED_SEEN_DAYS * 86400


def seen_trim(pipe: redis.client.Pipeline, key: str, *, owner: str, now_s: float) -> None:
    """Keep a seen zset to FEED_SEEN_DAYS and FEED_SEEN_MAX and expire it with its newest
    member, after a write to it."""
    pipe.zremrangebyscore(key, "-inf", f"({seen_since(now_s)}")
    pipe.zremrangebyrank(key, 0, -settings.FEED_SEEN_MAX - 1)
    pipe.expire(key, min(history_ttl(owner), settings.FEED_SEEN_DAYS * 86400))


def _version_dim_key(embedding_version: str) -> str:
    return f"{PREFIX}dim:{embedding_version}"


def history_ttl(owner: str) -> int:
    return OWNER_HISTORY_TTL_SECONDS if owner.startswith("u") else settings.SESSION_TTL_SECONDS


def anonymous_session_adopt(*, user_id: int, session_id: str) -> None:
    """Signing in on a session the client names (X-Session-Id): what its signed-out pages
    served, hid and saw goes on under the account, so the next pages do not serve it again;
    the signed-out session's taste carries over unless the account's session already has one.
    The signed-out keys are left to expire."""
    anonymous = owner_key(user_id=None, session_id=session_id)
    account = owner_key(user_id=user_id, session_id=session_id)
    ttl = settings.SESSION_TTL_SECONDS
    pipe = redis_client().pipeline()
    for key in (served_set_key, hidden_set_key):
        target = key(account, session_id)
        pipe.sunionstore(target, [target, key(anonymous, session_id)])
        pipe.expire(target, ttl)
    seen = seen_zset_key(account)
    pipe.zunionstore(seen, [seen, seen_zset_key(anonymous)], aggregate="MAX")
    seen_trim(pipe, seen, owner=account, now_s=time.time())
    pipe.copy(session_hash_key(anonymous, session_id), session_hash_key(account, session_id))
    pipe.expire(session_hash_key(account, session_id), ttl)
    pipe.execute()


# Counts the new sessions a client (an account, or an anonymous client's address) started in
# the current window and admits at most the room left: KEYS[1] the counter; ARGV: the sessions
# asked for, the limit, the window in seconds. Returns how many are admitted.
NEW_SESSIONS_ADMIT_SCRIPT = """
local used = tonumber(redis.call('GET', KEYS[1]) or '0')
local admit = math.min(tonumber(ARGV[1]), math.max(tonumber(ARGV[2]) - used, 0))
if admit > 0 then
  if redis.call('INCRBY', KEYS[1], admit) == admit then redis.call('EXPIRE', KEYS[1], ARGV[3]) end
end
return admit
"""


def new_sessions_admit(*, client: str, sessions: int, limit: int) -> int:
    """How many of `sessions` new session tastes the client may start now: at most `limit`
    per SESSION_TTL_SECONDS window (a session's taste lives that long), so the Redis memory one
    account or one address can hold in session tastes is bounded, whatever ids it names."""
    if sessions <= 0:
        return 0
    return int(
        redis_client().eval(
            NEW_SESSIONS_ADMIT_SCRIPT,
            1,
            f"{PREFIX}newsessions:{client}",
            sessions,
            limit,
            settings.SESSION_TTL_SECONDS,
        )
    )


@dataclass
class SessionTaste:
    vector: np.ndarray | None = None
    weight: float = 0.0
    negatives: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), dtype=np.float32))
    strengths: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.float32))
    interests: SessionInterests = field(default_factory=SessionInterests)
    version: str = ""  # the embedding version of its vectors ("" before versions were kept)

    def as_mapping(self) -> dict[str, bytes | str]:
        mapping: dict[str, bytes | str] = {"w": repr(float(self.weight))}
        if self.version:
            mapping["ver"] = self.version
        mapping.update(self.interests.as_mapping())
        if self.vector is not None:
            mapping["vec"] = np.asarray(self.vector, dtype=np.float32).tobytes()
        if len(self.strengths):
            mapping["neg"] = np.asarray(self.negatives, dtype=np.float32).tobytes()
            mapping["negs"] = np.asarray(self.strengths, dtype=np.float32).tobytes()
        return mapping


def session_taste_parse(
    raw: dict[bytes, bytes], dim: int | None, *, version: str | None = None
) -> SessionTaste:
    """Decode a session hash; vectors of another dimension, or of another embedding version
    than `version` (a version switch: 384 dimensions before and after one of the CPU model's
    recipes, so the EMA blended both versions and the new index was searched with an old
    vector), are dropped."""
    taste = SessionTaste()
    if not raw:
        return taste
    stored_version = raw.get(b"ver", b"").decode()
    if version and stored_version and stored_version != version:
        return taste
    taste.version = stored_version
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


def lock_pause() -> None:
    """The pause between two tries to take a lock another request holds."""
    time.sleep(LOCK_POLL_SECONDS)


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
        lock_pause()
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


def rewatch_order(*, owner: str, session_id: str) -> tuple[list[int], set[int]]:
    """The viewer's seen videos, longest ago first, and the session's served set."""
    pipe = redis_client().pipeline(transaction=False)
    pipe.zrangebyscore(seen_zset_key(owner), seen_since(), "+inf")
    pipe.smembers(served_set_key(owner, session_id))
    seen, served = pipe.execute()
    return [int(v) for v in seen], {int(v) for v in served}


def trending_read(*, start: int, count: int) -> list[int]:
    """The trending list from rank `start` (0 is the top), at most `count` ids."""
    members = redis_client().zrevrange(TRENDING_KEY, start, start + count - 1)
    return [int(member) for member in members if int(member)]


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
    pipe.hgetall(session_hash_key(owner, session_id))
    pipe.smembers(served_set_key(owner, session_id))
    pipe.zrangebyscore(seen_zset_key(owner), seen_since(), "+inf")
    pipe.lrange(positives_list_key(owner), 0, settings.FEED_COENGAGEMENT_RECENT - 1)
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
        session=session_taste_parse(raw, None, version=embedding_version),
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
    key = served_set_key(owner, session_id)
    pipe = redis_client().pipeline(transaction=False)
    pipe.sadd(key, *ids)
    pipe.expire(key, settings.SESSION_TTL_SECONDS)
    # The session's hides live as long as its served set (a no-op when it hid nothing).
    pipe.expire(hidden_set_key(owner, session_id), settings.SESSION_TTL_SECONDS)
    pipe.execute()


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
    return arms_decoded(ids, redis_client().hmget(ARM_OF_KEY, ids))


def arms_decoded(ids: list[int], found: list[bytes | None]) -> dict[int, str]:
    """HMGET answers on the video -> arm hash, for the videos that have an arm."""
    return {v: arm.decode() for v, arm in zip(ids, found, strict=True) if arm}


def arms_read() -> tuple[str | None, bytes | None]:
    """(digest, the stored interest-arm catalogue) as one consistent pair."""
    pipe = redis_client().pipeline(transaction=True)
    pipe.get(ARMS_VERSION_KEY)
    pipe.get(ARMS_KEY)
    version, raw = pipe.execute()
    return (version.decode() if version else None), raw


# Takes ARGV's ids out of the served set (KEYS[1]) except those the session hid (KEYS[2]);
# returns the ids it took out.
SERVED_RELEASE_SCRIPT = """
local released = {}
for _, id in ipairs(ARGV) do
  if redis.call('SISMEMBER', KEYS[2], id) == 0 and redis.call('SREM', KEYS[1], id) == 1 then
    released[#released + 1] = id
  end
end
return released
"""


def served_release(*, owner: str, session_id: str, video_ids: Iterable[int]) -> list[int]:
    """Take videos the client dropped from its queue unshown out of the session's served set:
    a later page may offer them again. Never one the session marked not interested (a client
    may release what it hid, and an anonymous viewer's hides live only in the session).
    Returns the ids taken out: an id the session was never served (or released already)
    releases nothing."""
    ids = list(dict.fromkeys(int(v) for v in video_ids))
    if not ids:
        return []
    released = redis_client().eval(
        SERVED_RELEASE_SCRIPT,
        2,
        served_set_key(owner, session_id),
        hidden_set_key(owner, session_id),
        *ids,
    )
    return [int(v) for v in released]


def session_hidden(*, owner: str, session_id: str) -> set[int]:
    """The videos the session marked not interested."""
    return {int(v) for v in redis_client().smembers(hidden_set_key(owner, session_id))}


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
