"""Cursor pagination: newest first by default, or by a (count, id) keyset; opaque cursors,
bounded page size."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core import signing
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError
from django.db.models import F
from django.db.models.fields.tuple_lookups import Tuple, TupleGreaterThan, TupleLessThan
from rest_framework.exceptions import NotFound
from rest_framework.pagination import CursorPagination
from rest_framework.utils.urls import replace_query_param

from tiktok.errors import InvalidInput


class NewestFirstCursorPagination(CursorPagination):
    ordering = ("-created_at", "-id")
    page_size_query_param = "limit"
    max_page_size = 100

    def paginate_queryset(self, queryset: Any, request: Any, view: Any = None) -> Any:
        """DRF's page, with a cursor whose position does not fit the ordering's column (a
        hand-made `p=abc` against a count) refused as a 400 instead of failing the query."""
        try:
            return super().paginate_queryset(queryset, request, view)
        except (ValueError, TypeError, OverflowError, DataError, DjangoValidationError):
            raise _invalid_cursor() from None

    def decode_cursor(self, request: Any) -> Any:
        """DRF's cursor, a garbage one a 400 `invalid_cursor` as on every list (DRF answers 404
        `not_found`, which on a video's comments reads as "the video is gone")."""
        try:
            return super().decode_cursor(request)
        except NotFound:
            raise _invalid_cursor() from None


class KeysetCursorPagination(NewestFirstCursorPagination):
    """Pages a list ordered by columns that all descend and end with the unique id (a count,
    then the id: a sound's most watched videos), by row comparison on the whole ordering.

    DRF's cursor keeps its place by the first ordering column plus an offset among the rows
    that share its value, and caps that offset at `offset_cutoff` (1000): past 1000 videos
    with the same count every "next" link answered the same page. Here the cursor holds the
    last row's value of every ordering column, and the next page is the rows after it,
    `WHERE (view_count, id) < (%s, %s)`, which an index on the same columns serves directly.
    The answer has DRF's shape (`next`, `previous`, `results`); the cursor is signed, so a
    hand-made one is a 400 `invalid_cursor`, and so is one from another list: the signature
    covers the list (its scope) and its ordering (a hashtag's cursor by likes read as a sound's
    by views started the sound's list at a like count).
    """

    cursor_salt = "tiktok.api.pagination.keyset"

    def __init__(self, ordering: tuple[str, ...] | None = None, *, scope: str) -> None:
        """`scope` names the list (`hashtag:12`): its cursors are good for it under any spelling
        of its URL (`/api/hashtags/Cats/...` and `/cats/`) and for no other list."""
        super().__init__()
        if ordering is not None:
            self.ordering = ordering
        if not all(field.startswith("-") for field in self.ordering) or self.ordering[-1] != "-id":
            raise ValueError(
                f"a keyset ordering descends on every column, id last: {self.ordering}"
            )
        self.columns = [field[1:] for field in self.ordering]
        self.salt = f"{self.cursor_salt}:{scope}:{','.join(self.ordering)}"

    def paginate_queryset(self, queryset: Any, request: Any, view: Any = None) -> list[Any]:
        self.request = request
        self.page_size = self.get_page_size(request)
        self.base_url = request.build_absolute_uri()
        position, reverse = self._cursor_read(request)
        key = Tuple(*(F(column) for column in self.columns))
        if position is None:
            rows = queryset.order_by(*self.ordering)
        elif reverse:
            rows = queryset.filter(TupleGreaterThan(key, position)).order_by(*self.columns)
        else:
            rows = queryset.filter(TupleLessThan(key, position)).order_by(*self.ordering)
        try:
            page = list(rows[: self.page_size + 1])
        except (ValueError, TypeError, OverflowError, DataError, DjangoValidationError):
            raise _invalid_cursor() from None
        more = len(page) > self.page_size
        page = page[: self.page_size]
        if reverse:
            page.reverse()
        # Walking back from a page, the pages after it exist; walking on, the ones before do.
        self.next_position = self._key(page[-1]) if page and (more or reverse) else None
        self.previous_position = (
            self._key(page[0]) if page and position is not None and (more or not reverse) else None
        )
        return page

    def get_next_link(self) -> str | None:
        return self._link(self.next_position, reverse=False)

    def get_previous_link(self) -> str | None:
        return self._link(self.previous_position, reverse=True)

    def _key(self, row: Any) -> list[Any]:
        return [_cursor_value(getattr(row, column)) for column in self.columns]

    def _link(self, position: list[Any] | None, *, reverse: bool) -> str | None:
        if position is None:
            return None
        cursor = signing.dumps({"k": position, "r": reverse}, salt=self.salt, compress=True)
        return replace_query_param(self.base_url, self.cursor_query_param, cursor)

    def _cursor_read(self, request: Any) -> tuple[list[Any] | None, bool]:
        cursor = request.query_params.get(self.cursor_query_param)
        if not cursor:
            return None, False
        try:
            data = signing.loads(cursor, salt=self.salt)
            position, reverse = data["k"], bool(data["r"])
        except (signing.BadSignature, KeyError, TypeError, ValueError):
            raise _invalid_cursor() from None
        if not isinstance(position, list) or len(position) != len(self.columns):
            raise _invalid_cursor()
        return position, reverse


def _cursor_value(value: Any) -> Any:
    """A column's value as the cursor's JSON keeps it (the field turns it back when compared)."""
    return value.isoformat() if isinstance(value, dt.datetime) else value


def _invalid_cursor() -> InvalidInput:
    return InvalidInput("the cursor is not valid here", code="invalid_cursor")
