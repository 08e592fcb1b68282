"""Reads with results in binary: a bytea (pgvector's vector_send) arrives as raw bytes instead
of hex text twice its size that psycopg must parse.

Django's cursors bind parameters client-side, which cannot return binary, so a plain psycopg
cursor is used. Not prepared unless the caller asks: a prepared statement's generic plan for the
HNSW query measured 2-3x slower than the plan made for the actual query vector, while the feed
page's viewer-context and facts statements - the same text on every page, index lookups whatever
the parameters - cost about half as much prepared (planning them was as slow as running them).
"""

from __future__ import annotations

from typing import Any

import psycopg
from django.db import connection


def binary_read(
    conn: psycopg.Connection, statement: str, params: Any, *, prepare: bool = False
) -> list[tuple]:
    """One read on a psycopg connection with results in binary. `prepare`: prepare it on the
    connection (PostgreSQL plans it once, and takes a generic plan when that is not costlier)
    where the connection allows prepared statements (settings DB_PREPARED_STATEMENTS)."""
    with psycopg.Cursor(conn) as cursor:
        cursor.execute(statement, params, binary=True, prepare=prepare)
        return cursor.fetchall()


def binary_rows(statement: str, params: Any, *, prepare: bool = False) -> list[tuple]:
    """`binary_read` on Django's connection (the request's own)."""
    connection.ensure_connection()
    return binary_read(connection.connection, statement, params, prepare=prepare)
