"""Planner settings for asking "can this statement use that index?" on a table small enough that
a full sort is cheaper (PostgreSQL then rightly prefers it)."""

PREFER_INDEX = "SET enable_seqscan = off; SET enable_bitmapscan = off; SET enable_sort = off"
RESET_PREFERENCE = "RESET enable_seqscan; RESET enable_bitmapscan; RESET enable_sort"


def plan_preferring_indexes(statement: str, params: object = None) -> str:
    """EXPLAIN's text for the statement with sorts and full scans priced out (PREFER_INDEX)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(PREFER_INDEX)
        try:
            cursor.execute("EXPLAIN " + statement, params)
            return "\n".join(row[0] for row in cursor.fetchall())
        finally:
            cursor.execute(RESET_PREFERENCE)
