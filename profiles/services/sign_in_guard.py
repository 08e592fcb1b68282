"""Per-account sign-in lockout: after a run of wrong passwords an account refuses sign-ins for a
while, doubling with each further failure (address-based rate limits alone let a botnet try
one account's passwords from thousands of addresses).

Counted in Redis under the account the name signs in to (its stored username, found as the
sign-in finds it: without regard to case, as PostgreSQL compares), else under the name as typed,
case-folded, whether or not the account exists (so the answer does not tell which do). Keying on
the typed name let spellings PostgreSQL takes for the same account but Python does not fold
together ("marıa" with a dotless i signs in as maria) each count in a bucket of their own. A
lock refuses every sign-in to that name, right password or not, until it expires; a successful
sign-in clears the count.
"""

from __future__ import annotations

import hashlib
import math
import time

from django.conf import settings
from django.core.cache import cache

from profiles.models import User

KEY_PREFIX = "sign-in"


def sign_in_name(username: str) -> str:
    """The name a typed username signs in as: the stored username of the account it finds
    (without regard to case, as PostgreSQL compares), else the name as typed. Read once per
    sign-in and passed to the functions below, which key on it."""
    stored = (
        User.objects.filter(username__iexact=username).values_list("username", flat=True).first()
    )
    return stored or username


def _keys(name: str) -> tuple[str, str]:
    """(the count of wrong passwords in a row, the time the lock ends) of a sign-in name."""
    # A digest, not the name as typed: a name with a space or a control character made the
    # cache warn (CacheKeyWarning) on every attempt, and Python keeps each distinct warning
    # text for the life of the process: memory any anonymous client could grow.
    name = hashlib.sha256(name.casefold()[:150].encode()).hexdigest()
    return f"{KEY_PREFIX}:failures:{name}", f"{KEY_PREFIX}:locked-until:{name}"


def _keep_seconds() -> int:
    # Kept well past the longest lock, so failures spread over a day still add up.
    return max(settings.SIGN_IN_LOCKOUT_MAX_SECONDS * 4, 86400)


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
    locked_until = cache.get(_keys(username)[1])
    if not locked_until:
        return 0
    remaining = locked_until - (time.time() if now is None else now)
    return max(0, math.ceil(remaining))


def sign_in_failure_record(*, username: str, now: float | None = None) -> int:
    """Count a wrong password for this username (atomically: concurrent failures all count);
    returns the seconds it is now locked for."""
    now = time.time() if now is None else now
    failures_key, lock_key = _keys(username)
    cache.add(failures_key, 0, timeout=_keep_seconds())
    try:
        failures = cache.incr(failures_key)
    except ValueError:  # expired between the two calls
        cache.add(failures_key, 1, timeout=_keep_seconds())
        failures = 1
    lock = lock_seconds_for(failures)
    if lock:
        cache.set(lock_key, now + lock, timeout=lock + 60)
    return lock


def sign_in_success_record(*, username: str) -> None:
    cache.delete_many(list(_keys(username)))
