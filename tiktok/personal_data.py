"""What one person's data archive ("download your data") is made of: each app says what it
stores about a person as sections (`<app>/personal_data.py`), and the takeout app writes them
into one archive. An app lists only rows it owns, so a new table is exported by the app that
adds it."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import Case, CharField, F, QuerySet, Value, When

CHUNK_ROWS = 2000


@dataclass(frozen=True)
class Section:
    """One file of the archive: `<name>.json`, a JSON array of `rows` (read lazily, so a long
    watch history is never held in memory), described by `about` in the archive's README.
    `files` are stored files the rows name: (path in the archive, name in the media store)."""

    name: str
    about: str
    rows: Iterable[dict[str, Any]]
    files: Iterable[tuple[str, str]] = field(default=())


def moment(value: Any) -> str | None:
    """A datetime as ISO 8601 (None stays None)."""
    return value.isoformat() if value is not None else None


def records(queryset: QuerySet, **columns: str) -> Iterator[dict[str, Any]]:
    """The rows of `queryset` as records: each keyword names a record key and the field (or
    lookup across relations) it comes from; times as ISO 8601. Read in chunks, in the
    queryset's order."""
    keys = list(columns)
    for values in queryset.values_list(*columns.values()).iterator(chunk_size=CHUNK_ROWS):
        yield {
            key: value.isoformat() if isinstance(value, datetime) else value
            for key, value in zip(keys, values, strict=True)
        }


def name_unless_hidden(*, account: str, name: str, hidden: Iterable[int]) -> Case:
    """The name at lookup `name` of the account at `account`, or None for an account blocked
    either way since (`hidden`): the person's own rows stay, without naming someone the app no
    longer shows them. Annotate a queryset with it and read the annotation as a column."""
    return Case(
        When(**{f"{account}__in": list(hidden)}, then=Value(None)),
        default=F(name),
        output_field=CharField(),
    )
