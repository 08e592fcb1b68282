"""Creator analytics (studio): how far back the dashboard reads, how follows are attributed to
videos, how often the rollups run."""

from __future__ import annotations

from .env import env_int

# The longest date range the dashboard serves (and the period compared with it): longer
# ranges are refused with this limit named. Daily rollups older than twice this are pruned.
STUDIO_RETAIN_DAYS = env_int("STUDIO_RETAIN_DAYS", 90)
# Hourly rollups cover this many hours back; older hours are deleted.
STUDIO_HOURLY_KEEP_HOURS = env_int("STUDIO_HOURLY_KEEP_HOURS", 48)
# A follow counts for the creator's video the follower interacted with last, within this long
# before following.
STUDIO_FOLLOW_ATTRIBUTION_MINUTES = env_int("STUDIO_FOLLOW_ATTRIBUTION_MINUTES", 30)
# Retention curves stop at this second (longer videos: the last bucket holds the rest).
STUDIO_RETENTION_MAX_SECONDS = env_int("STUDIO_RETENTION_MAX_SECONDS", 600)
# Beat: the current and previous hour every few minutes, today and yesterday less often.
STUDIO_ROLLUP_HOURS_SECONDS = env_int("STUDIO_ROLLUP_HOURS_SECONDS", 300)
STUDIO_ROLLUP_DAYS_SECONDS = env_int("STUDIO_ROLLUP_DAYS_SECONDS", 900)
# Top videos on the overview.
STUDIO_TOP_VIDEOS = env_int("STUDIO_TOP_VIDEOS", 10)
