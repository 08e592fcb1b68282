"""Moderation knobs: when reports hide an item pending review, and how much one account may
report (the burst rate is the `reports` throttle scope, THROTTLE_REPORTS, in base.py)."""

from __future__ import annotations

from .env import env_int

# An item reported by this many distinct accounts is hidden until a moderator reviews it
# (videos and comments; a reported account is not suspended automatically, only put first).
MODERATION_AUTO_HIDE_REPORTS = env_int("MODERATION_AUTO_HIDE_REPORTS", 5, minimum=1)
# Only accounts at least this old count toward that (newer ones' reports still order the
# queue): registering takes seconds, so fresh accounts could hide anything.
MODERATION_AUTO_HIDE_MIN_ACCOUNT_AGE_HOURS = env_int(
    "MODERATION_AUTO_HIDE_MIN_ACCOUNT_AGE_HOURS", 24
)
# Reports one account may file in any 24 hours (a repeat of an open report does not count).
MODERATION_REPORTS_PER_DAY = env_int("MODERATION_REPORTS_PER_DAY", 30)
