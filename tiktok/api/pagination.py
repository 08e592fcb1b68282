"""Default cursor pagination: newest first, opaque cursors, bounded page size."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError
from rest_framework.pagination import CursorPagination

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
            raise InvalidInput("the cursor is not valid here", code="invalid_cursor") from None
