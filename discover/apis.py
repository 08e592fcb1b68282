"""Discover API: the sections, a section's "see all" pages, challenges and their leaderboards."""

from __future__ import annotations

from django.conf import settings
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from discover.challenges import challenge_create
from discover.selectors import (
    challenge_detail,
    challenge_get,
    challenge_leaderboard,
    discover_overview,
    discover_section,
    section_check,
)
from tiktok.api.base import ApiView


class PageQuery(serializers.Serializer):
    offset = serializers.IntegerField(min_value=0, max_value=10_000, default=0)
    limit = serializers.IntegerField(min_value=1, required=False)

    def validate_limit(self, value: int) -> int:
        if value > settings.DISCOVER_PAGE_SIZE_MAX:
            raise serializers.ValidationError(f"limit is at most {settings.DISCOVER_PAGE_SIZE_MAX}")
        return value


def _page(request: Request) -> tuple[int, int]:
    query = PageQuery(data=request.query_params)
    query.is_valid(raise_exception=True)
    limit = query.validated_data.get("limit") or settings.DISCOVER_PAGE_SIZE_MAX // 2
    return query.validated_data["offset"], limit


class DiscoverApi(ApiView):
    """GET /api/discover: every section's first items for this viewer."""

    permission_classes = [AllowAny]

    @extend_schema(operation_id="discover_overview", responses=OpenApiTypes.OBJECT)
    def get(self, request: Request) -> Response:
        return Response({"sections": discover_overview(viewer=request.user)})


class DiscoverSectionApi(ApiView):
    """GET /api/discover/{section}?offset=&limit=: a section's "see all" page (videos, hashtags,
    sounds, challenges, creators)."""

    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="discover_section", parameters=[PageQuery], responses=OpenApiTypes.OBJECT
    )
    def get(self, request: Request, section: str) -> Response:
        section_check(section)
        offset, limit = _page(request)
        return Response(
            discover_section(viewer=request.user, section=section, offset=offset, limit=limit)
        )


class ChallengeCreateInput(serializers.Serializer):
    hashtag = serializers.CharField(max_length=200)
    title = serializers.CharField(max_length=500)
    rules = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")
    sound_id = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    starts_at = serializers.DateTimeField(required=False, allow_null=True)
    ends_at = serializers.DateTimeField()


class ChallengeCreateApi(ApiView):
    """POST /api/challenges: create a challenge (operators; any creator when
    CHALLENGES_OPEN_TO_CREATORS is on)."""

    throttle_scope = "challenges"

    @extend_schema(request=ChallengeCreateInput, responses={201: OpenApiTypes.OBJECT})
    def post(self, request: Request) -> Response:
        body = ChallengeCreateInput(data=request.data)
        body.is_valid(raise_exception=True)
        challenge = challenge_create(creator=request.user, **body.validated_data)
        return Response(
            challenge_detail(challenge=challenge, viewer=request.user),
            status=status.HTTP_201_CREATED,
        )


class ChallengeDetailApi(ApiView):
    """GET /api/challenges/{id}: the challenge and the first page of its leaderboard."""

    permission_classes = [AllowAny]

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request: Request, pk: int) -> Response:
        challenge = challenge_get(challenge_id=pk)
        _, limit = _page(request)
        return Response(
            {
                **challenge_detail(challenge=challenge, viewer=request.user),
                "leaderboard": challenge_leaderboard(
                    challenge=challenge, viewer=request.user, offset=0, limit=limit
                ),
            }
        )


class ChallengeLeaderboardApi(ApiView):
    """GET /api/challenges/{id}/leaderboard?offset=&limit=: entries by score."""

    permission_classes = [AllowAny]

    @extend_schema(parameters=[PageQuery], responses=OpenApiTypes.OBJECT)
    def get(self, request: Request, pk: int) -> Response:
        challenge = challenge_get(challenge_id=pk)
        offset, limit = _page(request)
        return Response(
            challenge_leaderboard(
                challenge=challenge, viewer=request.user, offset=offset, limit=limit
            )
        )
