"""Search API: /api/search (typed, pageable results) and /api/search/suggest (autocomplete)."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from search.query_log import query_log
from search.selectors import search_page, search_suggest
from tiktok.api.base import ApiView
from tiktok.api.schema import PAGE, query
from tiktok.api.throttling import client_address, client_identity


def _searcher(request: Request) -> str:
    """Who searched, for counting each person once: the account, else the client address (as
    the rate limits tell clients apart). Not a session id: an anonymous client picks its own,
    so one client sending three could put any phrase in everyone's suggestions."""
    return client_identity(request)


class SearchApi(ApiView):
    permission_classes = [AllowAny]

    @extend_schema(
        parameters=[
            query("q", OpenApiTypes.STR, "what to search for"),
            query("type", OpenApiTypes.STR, "all (default), videos, users, hashtags or sounds"),
            query("tag", OpenApiTypes.STR, "a taxonomy tag's slug: its videos"),
            *PAGE,
        ],
        responses=OpenApiTypes.OBJECT,
    )
    def get(self, request: Request) -> Response:
        params = request.query_params
        cursor = params.get("cursor") or None
        body = search_page(
            viewer=request.user,
            q=params.get("q", ""),
            kind=params.get("type", "all"),
            tag=params.get("tag", ""),
            cursor=cursor,
            limit=params.get("limit"),
        )
        if body["query"] and cursor is None and body.get("method") != "none":
            query_log(q=body["query"], searcher=_searcher(request), address=client_address(request))
        return Response(body)


class SearchSuggestApi(ApiView):
    permission_classes = [AllowAny]

    @extend_schema(
        parameters=[query("q", OpenApiTypes.STR, "what has been typed")],
        responses=OpenApiTypes.OBJECT,
    )
    def get(self, request: Request) -> Response:
        return Response(search_suggest(viewer=request.user, q=request.query_params.get("q", "")))
