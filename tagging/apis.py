"""Tag API: the tag list with video counts, one tag, and a tag's videos (cursor pages)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from tagging.models import Tag
from tagging.selectors import TAG_VIDEOS_ORDERING, tag_active, tag_get, tag_list, tag_videos
from tiktok.api.pagination import KeysetCursorPagination
from tiktok.api.schema import PAGE
from videos.cards import video_cards


def tag_card(tag: Tag) -> dict[str, Any]:
    category = tag.category
    return {
        "slug": tag.slug,
        "name": tag.name,
        "description": tag.description,
        "category": {"slug": category.slug, "name": category.name} if category else None,
        "video_count": getattr(tag, "video_count", 0),
    }


class TagListFilter(serializers.Serializer):
    category = serializers.SlugField(required=False)


class TagListApi(APIView):
    """GET /api/tags[?category=slug]: active tags with their count of ready public videos."""

    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="tags_list", parameters=[TagListFilter], responses=OpenApiTypes.OBJECT
    )
    def get(self, request: Request) -> Response:
        query = TagListFilter(data=request.query_params)
        query.is_valid(raise_exception=True)
        tags = [tag_card(tag) for tag in tag_list(category=query.validated_data.get("category"))]
        return Response({"results": tags})


class TagDetailApi(APIView):
    """GET /api/tags/{slug}: one active tag with its phrases; 404 when unknown."""

    permission_classes = [AllowAny]

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request: Request, slug: str) -> Response:
        tag = tag_get(slug=slug)
        return Response({**tag_card(tag), "phrases": tag.phrase_texts})


class TagVideosApi(APIView):
    """GET /api/tags/{slug}/videos?cursor=: videos the viewer may see, best score first."""

    permission_classes = [AllowAny]

    @extend_schema(parameters=PAGE, responses=OpenApiTypes.OBJECT)
    def get(self, request: Request, slug: str) -> Response:
        tag = tag_active(slug=slug)  # the page needs no count
        # Keyset pages: DRF's cursor could not page past 1,000 videos of one score.
        paginator = KeysetCursorPagination(TAG_VIDEOS_ORDERING, scope=f"tag:{tag.pk}")
        page = paginator.paginate_queryset(
            tag_videos(tag=tag, viewer=request.user), request, view=self
        )
        return paginator.get_paginated_response(video_cards(videos=page, viewer=request.user))
