"""Feed tuning knobs (the feed app reads these; defaults follow the design)."""

from __future__ import annotations

from .env import env_bool, env_float, env_int

FEED_PAGE_SIZE_MAX = env_int("FEED_PAGE_SIZE_MAX", 50, minimum=1)
FEED_PAGE_SIZE_DEFAULT = env_int(
    "FEED_PAGE_SIZE_DEFAULT", min(10, FEED_PAGE_SIZE_MAX), minimum=1, maximum=FEED_PAGE_SIZE_MAX
)
FEED_CANDIDATES = env_int("FEED_CANDIDATES", 300)
FEED_EXPLORATION_SHARE = env_float("FEED_EXPLORATION_SHARE", 0.2)
FEED_MMR_LAMBDA = env_float("FEED_MMR_LAMBDA", 0.7)
FEED_MAX_PER_CREATOR = env_int("FEED_MAX_PER_CREATOR", 2)
SESSION_TTL_SECONDS = env_int("SESSION_TTL_SECONDS", 45 * 60)
# A feed cursor older than this is refused (400 cursor_expired): load the feed afresh.
FEED_CURSOR_MAX_AGE_SECONDS = env_int("FEED_CURSOR_MAX_AGE_SECONDS", 24 * 3600)
# A page's answer is remembered under its cursor this long: a retried request gets it again.
FEED_PAGE_MEMO_SECONDS = env_int("FEED_PAGE_MEMO_SECONDS", 600)
# One page of a session is built at a time: the lock's lifetime and how long a request waits.
FEED_PAGE_LOCK_SECONDS = env_int("FEED_PAGE_LOCK_SECONDS", 10, minimum=1)
FEED_PAGE_LOCK_WAIT_SECONDS = env_int("FEED_PAGE_LOCK_WAIT_SECONDS", 5)

# Strong-positive weights for the long-term taste (S += w * e, W += w) and the session EMA.
FEED_WATCH_POSITIVE_RATIO = env_float("FEED_WATCH_POSITIVE_RATIO", 0.4)
FEED_WEIGHT_WATCH = env_float("FEED_WEIGHT_WATCH", 1.0)
FEED_WEIGHT_FINISH = env_float("FEED_WEIGHT_FINISH", 1.5)
FEED_WEIGHT_REWATCH = env_float("FEED_WEIGHT_REWATCH", 2.0)
FEED_WEIGHT_LIKE = env_float("FEED_WEIGHT_LIKE", 2.0)
FEED_WEIGHT_SAVE = env_float("FEED_WEIGHT_SAVE", 2.5)
FEED_WEIGHT_SHARE = env_float("FEED_WEIGHT_SHARE", 3.0)
# Session taste: EMA step per unit of event weight, and k in gamma = W_sess / (W_sess + k).
FEED_SESSION_ALPHA = env_float("FEED_SESSION_ALPHA", 0.35)
FEED_SESSION_GAMMA_K = env_float("FEED_SESSION_GAMMA_K", 4.0)
# Negative feedback: a skip before this many ms is a negative; penalties on cosine to negatives.
FEED_SKIP_NEGATIVE_MS = env_int("FEED_SKIP_NEGATIVE_MS", 2000)
FEED_SKIP_PENALTY = env_float("FEED_SKIP_PENALTY", 0.35)
FEED_NOT_INTERESTED_PENALTY = env_float("FEED_NOT_INTERESTED_PENALTY", 0.8)
FEED_NEAR_DUPLICATE_COSINE = env_float("FEED_NEAR_DUPLICATE_COSINE", 0.92)
# Co-engagement: each new positive pairs with the user's last N positives (bounded work).
FEED_COENGAGEMENT_RECENT = env_int("FEED_COENGAGEMENT_RECENT", 20)
FEED_COENGAGEMENT_CANDIDATES = env_int("FEED_COENGAGEMENT_CANDIDATES", 300)
FEED_COENGAGEMENT_WEIGHT = env_float("FEED_COENGAGEMENT_WEIGHT", 2.0)
# The k-th most recent positive (0 = newest) counts DECAY^k in the co-engagement score.
FEED_COENGAGEMENT_DECAY = env_float("FEED_COENGAGEMENT_DECAY", 0.8)
# Share of the personal slots reserved for videos co-engaged at least MIN_COUNT times.
FEED_COENGAGEMENT_SHARE = env_float("FEED_COENGAGEMENT_SHARE", 0.25)
FEED_COENGAGEMENT_MIN_COUNT = env_int("FEED_COENGAGEMENT_MIN_COUNT", 2)
# A category the session skips loses its co-engagement lift: co-boost x clip(1 + D x affinity,
# 0, 1), affinity = the session's (hits - misses) / (hits + misses + 2) for the category.
FEED_COENGAGEMENT_ARM_DAMPING = env_float("FEED_COENGAGEMENT_ARM_DAMPING", 1.0)
# Slots per page reserved for followed creators' new videos.
FEED_FOLLOWING_SLOTS = env_int("FEED_FOLLOWING_SLOTS", 2)
# Two videos this close are near-duplicates: a page holds one unless nothing else is left.
FEED_PAGE_DUPLICATE_COSINE = env_float("FEED_PAGE_DUPLICATE_COSINE", 0.97)
# Rerank boosts (added to cosine similarity).
FEED_FRESHNESS_WEIGHT = env_float("FEED_FRESHNESS_WEIGHT", 0.05)
FEED_QUALITY_WEIGHT = env_float("FEED_QUALITY_WEIGHT", 0.1)
FEED_POPULARITY_WEIGHT = env_float("FEED_POPULARITY_WEIGHT", 0.3)
FEED_FOLLOWING_WEIGHT = env_float("FEED_FOLLOWING_WEIGHT", 0.1)
# A re-planned page's bonus for the cards the client dropped unshown (feed/page_plan.py).
FEED_RELEASED_WEIGHT = env_float("FEED_RELEASED_WEIGHT", 0.05)
# Score per unit of the session's affinity for a candidate's category (feed/interest_arms.py).
FEED_ARM_WEIGHT = env_float("FEED_ARM_WEIGHT", 0.6)
# Share of a page reserved for the category the session follows, times its follow share.
FEED_ARM_SLOT_SHARE = env_float("FEED_ARM_SLOT_SHARE", 1.0)
# Fresh videos: published within this window and with few impressions get exploration slots.
FEED_FRESH_HOURS = env_int("FEED_FRESH_HOURS", 48)
FEED_FRESH_MAX_IMPRESSIONS = env_int("FEED_FRESH_MAX_IMPRESSIONS", 200)
# Trending: events over this window, exponentially decayed with this half-life.
FEED_TRENDING_WINDOW_HOURS = env_int("FEED_TRENDING_WINDOW_HOURS", 48)
FEED_TRENDING_HALF_LIFE_HOURS = env_float("FEED_TRENDING_HALF_LIFE_HOURS", 6.0)
FEED_TRENDING_SIZE = env_int("FEED_TRENDING_SIZE", 500)
# A user's recently watched videos stay out of the feed for this long (across sessions).
FEED_SEEN_DAYS = env_int("FEED_SEEN_DAYS", 7)
FEED_SEEN_MAX = env_int("FEED_SEEN_MAX", 2000)
# Events timestamped further ahead than this are rejected (client clock skew allowance).
FEED_MAX_CLOCK_SKEW_SECONDS = env_int("FEED_MAX_CLOCK_SKEW_SECONDS", 300)
FEED_MAX_EVENTS_PER_BATCH = env_int("FEED_MAX_EVENTS_PER_BATCH", 100)
# Sessions one posted batch may name: the request's and one other (events a client queued
# before it started a new session). Each session is state in Redis for SESSION_TTL_SECONDS, so
# a batch naming a hundred made a hundred sessions' keys from one request.
FEED_MAX_SESSIONS_PER_BATCH = env_int("FEED_MAX_SESSIONS_PER_BATCH", 2)
# New session tastes (the recent negatives as vectors, the interest components) one client may
# start per SESSION_TTL_SECONDS: an account, or an anonymous client's address (shared behind a
# carrier's NAT, hence the larger figure). Beyond it the events are stored and count for the
# long-term taste and statistics, but the new sessions' tastes are not kept, so one client cannot
# fill Redis by naming a new session in every request.
FEED_NEW_SESSIONS_PER_ACCOUNT = env_int("FEED_NEW_SESSIONS_PER_ACCOUNT", 200)
FEED_NEW_SESSIONS_PER_ADDRESS = env_int("FEED_NEW_SESSIONS_PER_ADDRESS", 300)
# Long-term taste, co-engagement and stats are written behind the request: a queued batch is
# applied this long after the queue was empty (feed/aggregates.py), merged with what followed.
FEED_AGGREGATES_DELAY_SECONDS = env_float("FEED_AGGREGATES_DELAY_SECONDS", 1.0)
# /api/health reports the feed aggregates as failing once a batch has waited this long.
FEED_AGGREGATES_STALE_SECONDS = env_float("FEED_AGGREGATES_STALE_SECONDS", 120.0)
# A queued batch failing on its data (not a lost connection) this many times in a row is applied
# entry by entry and the entries that fail alone are set aside (feed/aggregates.py).
FEED_AGGREGATES_MAX_FAILURES = env_int("FEED_AGGREGATES_MAX_FAILURES", 3)
# Interaction batches commit without waiting for the WAL flush (feed/services.py); 1 waits.
FEED_INTERACTIONS_SYNCHRONOUS_COMMIT = env_bool("FEED_INTERACTIONS_SYNCHRONOUS_COMMIT", False)
# Per-process cache of video vectors (a version's vectors never change); 0 turns it off.
FEED_VECTOR_CACHE_SIZE = env_int("FEED_VECTOR_CACHE_SIZE", 50_000)
# Engagement counters per process (feed/stats_cache.py): seconds kept, and entries at most.
FEED_STATS_CACHE_SECONDS = env_float("FEED_STATS_CACHE_SECONDS", 60.0)
FEED_STATS_CACHE_SIZE = env_int("FEED_STATS_CACHE_SIZE", 200_000)
