"""Deleting many rows of a table in short statements, so nothing waits long on its locks."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connection
from django.db.models import Max

from tiktok.db.sql import table


def rows_delete_by_id_batches(
    *, model: Any, condition: str, params: Sequence[Any], batch_size: int
) -> int:
    """Delete the rows of `model` matching `condition` (SQL on its table aliased `t`, with
    `params`), one statement per `batch_size` ids in id order, each committed on its own
    outside a transaction; returns how many."""
    deleted, last_id = 0, 0
    max_id = model.objects.aggregate(top=Max("pk"))["top"] or 0
    while last_id < max_id:
        with connection.cursor() as cursor:
            cursor.execute(
                f"DELETE FROM {table(model)} t WHERE t.id > %s AND t.id <= %s AND ({condition})",
                [last_id, last_id + batch_size, *params],
            )
            deleted += cursor.rowcount
        last_id += batch_size
    return deleted
