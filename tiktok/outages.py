"""Which errors mean a backing service (PostgreSQL, Redis) is down for a moment - a restart, a
failover, a full connection pool - so that the API and the pages both answer 503 with
Retry-After, which says a retry will work, rather than a 500."""

from __future__ import annotations

import redis
from django.db import OperationalError

# Seconds a client is told to wait before retrying a request a backing service refused.
UNAVAILABLE_RETRY_AFTER_SECONDS = 5

# SQLSTATEs of a server going away or not taking connections yet (a restart, a failover):
# class 08 (connection exceptions) and the shutdown / starting-up states.
_UNAVAILABLE_SQLSTATES = ("57P01", "57P02", "57P03")


def _connection_lost(exc: OperationalError) -> bool:
    """An OperationalError of a connection that failed or went away: one psycopg raises without
    a SQLSTATE (the server did not answer), of class 08, or a shutdown. Deadlocks, statement
    timeouts and a full disk are OperationalErrors too, and not outages to wait out."""
    sqlstate = getattr(exc.__cause__, "sqlstate", None)
    return sqlstate is None or sqlstate.startswith("08") or sqlstate in _UNAVAILABLE_SQLSTATES


def outage_of(exc: BaseException) -> tuple[str, str] | None:
    """(error code, what is down) when the error is a backing service being unreachable;
    None for anything else (a wrong Redis password is configuration to fix, not an outage)."""
    if isinstance(exc, redis.AuthenticationError):
        return None
    # A replica answering READONLY: the app reaches a Redis that a failover demoted, until its
    # address points at the new primary. A Redis at its maxmemory (with the documented
    # noeviction policy) refuses writes until keys expire or it is given more memory.
    if isinstance(
        exc,
        redis.ConnectionError
        | redis.TimeoutError
        | redis.ReadOnlyError
        | redis.exceptions.OutOfMemoryError,
    ):
        return "redis_unavailable", "the session store (Redis)"
    if isinstance(exc, OperationalError) and _connection_lost(exc):
        return "database_unavailable", "the database"
    return None
