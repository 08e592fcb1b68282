"""Feed tuning knobs (the feed app reads these; defaults follow the design)."""

from __future__ import annotations

from .env import env_float, env_int

FEED_PAGE_SIZE_DEFAULT = env_int("FEED_PAGE_SIZE_DEFAULT", 10)
FEED_PAGE_SIZE_MAX = env_int("FEED_PAGE_SIZE_MAX", 50)
FEED_CANDIDATES = env_int("FEED_CANDIDATES", 400)
FEED_EXPLORATION_SHARE = env_float("FEED_EXPLORATION_SHARE", 0.2)
FEED_MMR_LAMBDA = env_float("FEED_MMR_LAMBDA", 0.7)
FEED_MAX_PER_CREATOR = env_int("FEED_MAX_PER_CREATOR", 2)
SESSION_TTL_SECONDS = env_int("SESSION_TTL_SECONDS", 45 * 60)
