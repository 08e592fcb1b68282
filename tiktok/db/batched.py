"""Deleting many rows of a table in short statements, so nothing waits long on its locks."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connection, transaction
from django.db.models import Max

from tiktok.db.sql import table


def rows_delete_by_id_batches(
    *,
    model: Any,
    condition: str,
    params: Sequence[Any],
    batch_size: int,
    dependents: Sequence[tuple[Any, str]] = (),
) -> int:
    """Delete the rows of `model` matching `condition` (SQL on its table aliased `t`, with
    `params`), one statement per `batch_size` ids in id order, each committed on its own
    outside a transaction; returns how many. `dependents`: (model, column) of rows pointing at
    those (Django's cascades are not in the database), deleted first in the same transaction."""
    deleted, last_id = 0, 0
    max_id = model.objects.aggregate(top=Max("pk"))["top"] or 0
    chosen = f"SELECT t.id FROM {table(model)} t WHERE t.id > %s AND t.id <= %s AND ({condition})"
    while last_id < max_id:
        bounds = [last_id, last_id + batch_size, *params]
        with transaction.atomic(), connection.cursor() as cursor:
            for dependent, column in dependents:
                cursor.execute(
                    f"DELETE FROM {table(dependent)} WHERE {column} IN ({chosen})", bounds
                )
            cursor.execute(
                f"DELETE FROM {table(model)} t WHERE t.id > %s AND t.id <= %s AND ({condition})",
                bounds,
            )
            deleted += cursor.rowcount
        last_id += batch_size
    return deleted
