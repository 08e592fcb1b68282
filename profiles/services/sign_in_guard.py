"""Per-account sign-in lockout: after a run of wrong passwords an account refuses sign-ins for a
while, doubling with each further failure (address-based rate limits alone let a botnet try
one account's passwords from thousands of addresses).

Counted in Redis under the case-folded username as typed, whether or not the account exists
(so the answer does not tell which do). A lock refuses every sign-in to that name, right
password or not, until it expires; a successful sign-in clears the count.
"""

from __future__ import annotations

import math
import time

from django.conf import settings
from django.core.cache import cache

KEY_PREFIX = "sign-in-failures"


def _key(username: str) -> str:
    return f"{KEY_PREFIX}:{username.casefold()[:150]}"


def lock_seconds_for(failures: int) -> int:
    """How long an account stays locked after its `failures`-th wrong password in a row: none
    below the threshold, then the base time doubling per further failure, up to the maximum."""
    threshold = settings.SIGN_IN_LOCKOUT_FAILURES
    if failures < threshold:
        return 0
    base = settings.SIGN_IN_LOCKOUT_BASE_SECONDS
    return min(settings.SIGN_IN_LOCKOUT_MAX_SECONDS, base * 2 ** min(failures - threshold, 30))


def sign_in_locked_seconds(*, username: str, now: float | None = None) -> int:
    """Seconds until sign-ins to this username are accepted again (0: not locked)."""
    state = cache.get(_key(username))
    if not state:
        return 0
    remaining = state["locked_until"] - (time.time() if now is None else now)
    return max(0, math.ceil(remaining))


def sign_in_failure_record(*, username: str, now: float | None = None) -> int:
    """Count a wrong password for this username; returns the seconds it is now locked for."""
    now = time.time() if now is None else now
    key = _key(username)
    state = cache.get(key) or {"failures": 0, "locked_until": 0.0}
    state["failures"] += 1
    lock = lock_seconds_for(state["failures"])
    if lock:
        state["locked_until"] = now + lock
    # Kept well past the longest lock, so failures spread over a day still add up.
    cache.set(key, state, timeout=max(settings.SIGN_IN_LOCKOUT_MAX_SECONDS * 4, 86400))
    return lock


def sign_in_success_record(*, username: str) -> None:
    cache.delete(_key(username))
