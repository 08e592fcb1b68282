"""Public counters on rows (a video's likes, a comment's likes): changed in SQL, so concurrent
requests never lose an update, and clamped at zero (the columns are unsigned, and a past
miscount must not turn into a 500)."""

from __future__ import annotations

from collections.abc import Mapping

from django.db.models import F, Model, Value
from django.db.models.functions import Greatest


def counter_value(*, row: Model, field: str) -> int:
    return type(row).objects.filter(pk=row.pk).values_list(field, flat=True).first() or 0


def counter_add(*, row: Model, field: str, delta: int) -> int:
    """Add delta to the row's counter and return the committed-so-far value (also set on row)."""
    type(row).objects.filter(pk=row.pk).update(**{field: Greatest(F(field) + delta, Value(0))})
    value = counter_value(row=row, field=field)
    setattr(row, field, value)
    return value


def counters_subtract(*, model: type[Model], field: str, amounts: Mapping[int, int]) -> None:
    """Subtract an amount from the counter of each row (by primary key)."""
    for pk, amount in amounts.items():
        model.objects.filter(pk=pk).update(**{field: Greatest(F(field) - amount, Value(0))})
