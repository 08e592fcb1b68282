"""Creator endpoints: a profile with its counts, the signed-in user's own profile (read and
edit), and the lists of a user's videos, likes and saves."""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from profiles.selectors import user_for_viewer, user_unlocked_for
from profiles.services.accounts import MAX_BIO_CHARS, MAX_DISPLAY_NAME_CHARS, profile_update
from tiktok.api.base import ApiView
from tiktok.api.pagination import NewestFirstCursorPagination
from tiktok.api.schema import PAGE
from videos.cards import video_cards
from videos.selectors.creators import creator_profile, user_liked, user_saved, user_videos


class ProfileUpdateInput(serializers.Serializer):
    display_name = serializers.CharField(
        required=False, allow_blank=True, max_length=MAX_DISPLAY_NAME_CHARS
    )
    bio = serializers.CharField(required=False, allow_blank=True, max_length=MAX_BIO_CHARS)
    avatar = serializers.FileField(required=False)
    avatar_clear = serializers.BooleanField(required=False, default=False)
    is_private = serializers.BooleanField(required=False)


class UserProfileApi(ApiView):
    permission_classes = [AllowAny]

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request: Request, username: str) -> Response:
        user = user_for_viewer(username=username, viewer=request.user)
        return Response(creator_profile(user=user, viewer=request.user))


class MeProfileApi(ApiView):
    permission_classes = [IsAuthenticated]
    throttle_scope = "profile_edits"

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request: Request) -> Response:
        return Response(creator_profile(user=request.user, viewer=request.user))

    @extend_schema(request=ProfileUpdateInput, responses=OpenApiTypes.OBJECT)
    def patch(self, request: Request) -> Response:
        data = ProfileUpdateInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        changes = {
            name: fields[name] for name in ("display_name", "bio", "is_private") if name in fields
        }
        if fields.get("avatar_clear"):
            changes["avatar"] = None
        elif "avatar" in fields:
            changes["avatar"] = fields["avatar"]
        user = profile_update(user=request.user, **changes)
        return Response(creator_profile(user=user, viewer=request.user))


def video_list_response(
    view: ApiView,
    request: Request,
    queryset: Any,
    *,
    reason: dict | None = None,
    paginator: NewestFirstCursorPagination | None = None,
) -> Response:
    """One cursor page of videos (or of like/save rows pointing at videos) as cards, newest
    made first unless another `paginator` is given."""
    paginator = paginator or NewestFirstCursorPagination()
    page = paginator.paginate_queryset(queryset, request, view=view)
    videos = [getattr(row, "video", row) for row in page]
    cards = video_cards(videos=videos, viewer=request.user)
    if reason is not None:
        for card in cards:
            card["reason"] = reason
    return paginator.get_paginated_response(cards)


class UserVideosApi(ApiView):
    permission_classes = [AllowAny]

    @extend_schema(parameters=PAGE, responses=OpenApiTypes.OBJECT)
    def get(self, request: Request, username: str) -> Response:
        user = user_for_viewer(username=username, viewer=request.user)
        user_unlocked_for(user=user, viewer=request.user)
        return video_list_response(self, request, user_videos(user=user, viewer=request.user))


class UserLikedApi(ApiView):
    permission_classes = [AllowAny]

    @extend_schema(parameters=PAGE, responses=OpenApiTypes.OBJECT)
    def get(self, request: Request, username: str) -> Response:
        user = user_for_viewer(username=username, viewer=request.user)
        user_unlocked_for(user=user, viewer=request.user)
        return video_list_response(self, request, user_liked(user=user, viewer=request.user))


class MeSavedApi(ApiView):
    permission_classes = [IsAuthenticated]

    @extend_schema(parameters=PAGE, responses=OpenApiTypes.OBJECT)
    def get(self, request: Request) -> Response:
        return video_list_response(self, request, user_saved(user=request.user))
