"""Hashtag endpoints: a hashtag's header and its videos (what the viewer may see)."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from tiktok.api.base import ApiView
from tiktok.api.pagination import KeysetCursorPagination
from tiktok.api.schema import PAGE, query
from tiktok.errors import NotFound
from videos.cards import video_cards
from videos.selectors.hashtags import (
    HASHTAG_SORT_ORDERING,
    hashtag_for_name,
    hashtag_page,
    hashtag_sort_check,
    hashtag_videos,
)


class HashtagApi(ApiView):
    permission_classes = [AllowAny]

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request: Request, name: str) -> Response:
        return Response(hashtag_page(name=name, viewer=request.user))


class HashtagVideosApi(ApiView):
    permission_classes = [AllowAny]

    @extend_schema(
        parameters=[query("sort", OpenApiTypes.STR, "the order: see docs/hashtags.md"), *PAGE],
        responses=OpenApiTypes.OBJECT,
    )
    def get(self, request: Request, name: str) -> Response:
        sort = hashtag_sort_check(request.query_params.get("sort"))
        hashtag = hashtag_for_name(name=name)
        paginator = KeysetCursorPagination(
            HASHTAG_SORT_ORDERING[sort], scope=f"hashtag:{hashtag.pk}"
        )
        videos = hashtag_videos(hashtag=hashtag, viewer=request.user)
        if not videos.exists():
            # As the header: a hashtag whose videos the viewer may see none of does not exist
            # for them, whatever the cursor (an empty list, or a cursor checked, would tell
            # that private videos carry it).
            raise NotFound(f"no videos with #{hashtag.name}", code="hashtag_not_found")
        page = paginator.paginate_queryset(videos, request, view=self)
        return paginator.get_paginated_response(video_cards(videos=page, viewer=request.user))
