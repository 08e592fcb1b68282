"""Racing transactions in tests: threads that record their failure, and PostgreSQL's own view
of who waits on a lock (the moment a race forms, without sleeping on a guess)."""

from __future__ import annotations

import threading
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
