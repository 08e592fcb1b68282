"""Discover lists and challenges (the discover app reads these)."""

from __future__ import annotations

from .base import THROTTLE_RATES
from .env import env_bool, env_int, env_rate

# Any signed-in creator may create a challenge (off: only operators, in the admin or the API).
CHALLENGES_OPEN_TO_CREATORS = env_bool("CHALLENGES_OPEN_TO_CREATORS", True)
CHALLENGE_MAX_DAYS = env_int("CHALLENGE_MAX_DAYS", 90)
# Challenges a creator (not an operator) may have running at once.
CHALLENGES_OPEN_PER_CREATOR = env_int("CHALLENGES_OPEN_PER_CREATOR", 3)
# Challenges running on one hashtag at once, of which a creator (not an operator) may start one:
# every publish, like, share and finish of a video with the hashtag updates each of them.
CHALLENGES_OPEN_PER_HASHTAG = env_int("CHALLENGES_OPEN_PER_HASHTAG", 1)
# A video uploaded before a challenge's end and published after it (a processing backlog)
# joins when published up to this long after the end.
CHALLENGE_LATE_PUBLISH_HOURS = env_int("CHALLENGE_LATE_PUBLISH_HOURS", 24)
# The Discover lists (trending videos, rising hashtags, trending sounds, active challenges,
# the creator pool) are recomputed by beat this often and hold this many items each.
DISCOVER_REFRESH_SECONDS = env_int("DISCOVER_REFRESH_SECONDS", 300)
DISCOVER_LIST_SIZE = env_int("DISCOVER_LIST_SIZE", 100)
# Items per section on the Discover page and /api/discover.
DISCOVER_PREVIEW_SIZE = env_int("DISCOVER_PREVIEW_SIZE", 8)
# Anonymous visitors share one overview, kept this long per process (0: not kept).
DISCOVER_ANONYMOUS_CACHE_SECONDS = env_int("DISCOVER_ANONYMOUS_CACHE_SECONDS", 10)
DISCOVER_PAGE_SIZE_MAX = env_int("DISCOVER_PAGE_SIZE_MAX", 50)
# Creators whose video centroids suggestions are ranked from (the most popular ones).
DISCOVER_CREATOR_POOL = env_int("DISCOVER_CREATOR_POOL", 2000)
# Recent challenge videos offered to the feed's exploration (discover.challenges).
DISCOVER_EXPLORATION_HOURS = env_int("DISCOVER_EXPLORATION_HOURS", 72)
DISCOVER_EXPLORATION_SIZE = env_int("DISCOVER_EXPLORATION_SIZE", 200)

# The same dict REST_FRAMEWORK reads (tiktok/settings/base.py): one more write scope.
THROTTLE_RATES["challenges"] = env_rate("THROTTLE_CHALLENGES", "20/hour")
