"""Reads on a second pooled connection, so one request can wait on two PostgreSQL backends at once.

A feed page's slowest statement (the HNSW search) does not depend on the viewer-context query
that precedes it. Run one after the other they add up; started on a second connection from
Django's pool, the search runs in its own backend while the request's thread goes on with the
context query on its own connection, and the page waits for the longer of the two.

`side_read(task)` starts `task(connection)` and returns a `SideRead`; `.result()` gives what
the task returned. The task runs on the request's own connection instead (same result, one
after the other) when:
- there is no connection pool (DB_POOL_MAX=0) or SIDE_READ_THREADS is 0;
- the request's connection is inside a transaction: another connection cannot see its
  uncommitted writes (tests that wrap each test in a transaction take this path);
- no pooled connection is free within SIDE_READ_WAIT_SECONDS (the pool is busy with requests),
  or the side connection failed: the read is repeated inline, so a page never fails for it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any, Generic, TypeVar

import psycopg
from django.conf import settings
from django.db import connection

from tiktok.db.threads import helper_pool

logger = logging.getLogger(__name__)
T = TypeVar("T")

# How long a side read waits for a free pooled connection before the request runs it itself.
SIDE_READ_WAIT_SECONDS = 0.05


def _pool_run(pool: Any, task: Callable[[psycopg.Connection], T]) -> T:
    conn = pool.getconn(timeout=SIDE_READ_WAIT_SECONDS)
    try:
        return task(conn)
    finally:
        pool.putconn(conn)


class SideRead(Generic[T]):
    """Reads started on a side connection (or deferred to run inline)."""

    def __init__(self, task: Callable[[psycopg.Connection], T], future: Future | None) -> None:
        self._task = task
        self._future = future
        self.ran_on_side = False

    def result(self) -> T:
        if self._future is not None:
            try:
                result = self._future.result()
            except Exception as exc:  # noqa: BLE001 - any failure there: run it here instead
                logger.warning("side read failed, running it inline: %s", exc)
            else:
                self.ran_on_side = True
                return result
        connection.ensure_connection()
        return self._task(connection.connection)


def side_reads_possible() -> bool:
    """Whether a read started now may run on another connection."""
    return (
        settings.SIDE_READ_THREADS > 0
        and connection.pool is not None
        and not connection.in_atomic_block
    )


def side_read(task: Callable[[psycopg.Connection], T]) -> SideRead[T]:
    """Start `task(connection)` - read-only statements - on a pooled side connection;
    `.result()` waits for it (or runs it on the request's connection, see above)."""
    if not side_reads_possible():
        return SideRead(task, None)
    connection.ensure_connection()  # opens the pool if this is the process's first query
    pool = helper_pool("side-read", settings.SIDE_READ_THREADS)
    return SideRead(task, pool.submit(_pool_run, connection.pool, task))
