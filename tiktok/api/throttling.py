"""DRF's rate throttles (anon, user, scoped) counted in Redis in one round trip.

DRF's stock throttles keep every request's timestamp in a pickled list in the cache: a read
and a write of up to `rate` floats per throttle on every request (two throttles on most API
calls). These count with a sliding window instead: the current fixed window's counter is
incremented and the previous window's read in one pipelined round trip, and the request is
allowed while `previous * (share of the previous window still inside the sliding window) +
current` stays within the rate. As with DRF, requests that are refused are not counted.
"""

from __future__ import annotations

import functools
import ipaddress
import time
from typing import Any

import redis
from django.conf import settings
from django.core.cache import caches
from rest_framework import throttling

from tiktok.db.redis_pool import SharedConnectionPool
from tiktok.net import peer_ip


@functools.cache
def _client_for(url: str) -> redis.Redis:
    # One client per process (building one sets up ~170 response callbacks: measurable per
    # request) on the cache's own pool (same URL, no options): one set of connections.
    return redis.Redis(connection_pool=SharedConnectionPool.from_url(url))


def _client() -> redis.Redis:
    return _client_for(settings.CACHES["default"]["LOCATION"])


def window_wait(*, limit: int, current: int, previous: int, elapsed: float) -> float | None:
    """Seconds (as a share of one window) until one more request fits, given the counts of the
    current and previous windows and how far (0..1) into the current window we are (None: never,
    for a rate of zero)."""
    if limit <= 0:
        return None
    if current + 1 <= limit:
        # Fits once the previous window's weight has decayed enough.
        needed = 1.0 - (limit - current - 1) / previous if previous else 0.0
        return max(0.0, needed - elapsed)
    # Not in this window: wait for the next, where this window becomes the previous one.
    return (1.0 - elapsed) + max(0.0, 1.0 - (limit - 1) / current)


class RedisWindowThrottle(throttling.SimpleRateThrottle):
    def get_ident(self, request: Any) -> str:
        return client_address(request)

    def allow_request(self, request: Any, view: Any) -> bool:
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        now = self.timer()
        window = int(now // self.duration)
        elapsed = (now % self.duration) / self.duration
        cache = caches["default"]
        current_key = cache.make_key(f"rate:{self.key}:{window}")
        previous_key = cache.make_key(f"rate:{self.key}:{window - 1}")
        client = _client()
        pipe = client.pipeline(transaction=False)
        pipe.incr(current_key)
        pipe.expire(current_key, 2 * self.duration + 1)
        pipe.get(previous_key)
        current, _, previous = pipe.execute()
        previous = int(previous or 0)
        if previous * (1.0 - elapsed) + current <= self.num_requests:
            return True
        client.decr(current_key)  # a refused request does not count
        share = window_wait(
            limit=self.num_requests, current=current - 1, previous=previous, elapsed=elapsed
        )
        self._wait = None if share is None else self.duration * share
        return False

    def wait(self) -> float | None:
        return getattr(self, "_wait", None)

    @staticmethod
    def timer() -> float:
        return time.time()


# DRF's classes first: their get_cache_key / scope handling, then the counting above.
class AnonRateThrottle(throttling.AnonRateThrottle, RedisWindowThrottle):
    pass


class UserRateThrottle(throttling.UserRateThrottle, RedisWindowThrottle):
    pass


class ScopedRateThrottle(throttling.ScopedRateThrottle, RedisWindowThrottle):
    pass


def address_block(address: str) -> str:
    """An address as limits count it: an IPv6 one as its /64 (one host, phone or home line
    holds a whole /64: 2^64 addresses to take a fresh allowance from each), an IPv4-mapped one
    as IPv4; anything else as given."""
    ip = peer_ip(address)
    if ip is None:
        return address
    if ip.version == 6:
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def client_address(request: Any) -> str:
    """The requester's address for rate limits and allowances: the peer's, or the one the
    trusted proxies saw (`TRUSTED_PROXY_COUNT`), IPv6 as its /64."""
    # None when the peer has no address (a UNIX socket behind a local proxy).
    return address_block(throttling.BaseThrottle().get_ident(request) or "")


def client_identity(request: Any) -> str:
    """Who sent a request, for counting each requester once (a search, a sound's play):
    `user:<id>` for an account, else `address:<client address>` as the rate limits tell
    anonymous clients apart (never a session id, which an anonymous client picks itself)."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    return f"address:{client_address(request)}"
