"""The advisory locks a transaction holds, as PostgreSQL's lock table lists them."""

from __future__ import annotations

from django.db import connection


def advisory_locks_held(space: int) -> int:
    """How many advisory keys of `space` (the first of the two int4 keys) this connection's
    transaction holds, shared or exclusive. PostgreSQL keeps every lock of every transaction in
    one shared table (`max_locks_per_transaction` x the connections, about 15,000 on the
    embedded server): a transaction that takes one per account it writes fails with "out of
    shared memory" past that many accounts."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted "
            "AND pid = pg_backend_pid() AND classid = %s::oid AND objsubid = 2",
            [space],
        )
        return cursor.fetchone()[0]
