"""Default cursor pagination: newest first, opaque cursors, bounded page size."""

from rest_framework.pagination import CursorPagination


class NewestFirstCursorPagination(CursorPagination):
    ordering = ("-created_at", "-id")
    page_size_query_param = "limit"
    max_page_size = 100
