"""Racing transactions in tests: threads that record their failure, and PostgreSQL's own view
of who waits on a lock (the moment a race forms, without sleeping on a guess)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from django.db import connection, connections


def lock_waiters() -> int:
    """How many sessions of this database wait on a lock now."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE wait_event_type = 'Lock' AND datname = current_database()"
        )
        return cursor.fetchone()[0]


def until_another_waits(timeout_s: float = 20.0) -> None:
    """Return once another session of this database waits on a lock (a transaction held open
    here has made the race form), or after timeout_s."""
    deadline = time.monotonic() + timeout_s
    while not lock_waiters() and time.monotonic() < deadline:
        time.sleep(0.05)


def thread_start(
    errors: dict[str, BaseException], name: str, work: Callable[[], object]
) -> threading.Thread:
    """Run `work` in a thread of its own (its own connection, closed at the end); an exception
    is kept in `errors[name]` for the test to report."""

    def run() -> None:
        try:
            work()
        except Exception as exc:  # noqa: BLE001 - reported by the test
            errors[name] = exc
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    return thread
