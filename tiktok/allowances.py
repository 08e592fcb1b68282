"""Allowances per window ("3 mails an hour to one address", "60 mention notices an hour per
author"), counted in the cache (Redis) over a sliding window rather than per clock hour: with
clock-hour buckets a limit of 3 let 3 through at 10:59:55 and 3 more at 11:00:05.

The sliding count is the usual two-bucket estimate: this window's count plus the previous
window's, weighted by how much of it still lies within the last `window_s` seconds."""

from __future__ import annotations

import contextlib
import time
from dataclasses import dataclass

from django.core.cache import cache


@dataclass(frozen=True)
class Taken:
    """The answer of `allowance_take`: whether it was within the allowance, and the counter it
    was counted on (for `allowance_refund`)."""

    allowed: bool
    counter: str


def allowance_take(name: str, *, limit: int, window_s: int, now: float | None = None) -> Taken:
    """Count one use of the allowance `name`; allowed while the uses in the last `window_s`
    seconds, this one included, are at most `limit`. A use refused is counted too (a client
    that keeps trying does not get through sooner)."""
    now = time.time() if now is None else now
    index = int(now // window_s)
    counter = f"allowance:{name}:{index}"
    timeout = 2 * window_s + 60
    cache.add(counter, 0, timeout=timeout)
    try:
        used = cache.incr(counter)
    except ValueError:  # expired between the two calls
        cache.add(counter, 1, timeout=timeout)
        used = 1
    previous = cache.get(f"allowance:{name}:{index - 1}", 0)
    still_in_window = 1.0 - (now - index * window_s) / window_s
    return Taken(allowed=previous * still_in_window + used <= limit, counter=counter)


def allowance_refund(taken: Taken) -> None:
    """Give back a use that turned out not to count (a notice that told no one)."""
    with contextlib.suppress(ValueError):  # the counter expired: nothing to give back
        cache.decr(taken.counter)
