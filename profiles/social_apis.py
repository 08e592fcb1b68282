"""Social endpoints: profiles, follow/block, a creator's lists, following feed, analytics."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from profiles.social_selectors import (
    creator_analytics,
    following_feed,
    profile_json,
    user_by_username,
    user_liked,
    user_saved,
    user_videos,
)
from profiles.social_services import (
    MAX_BIO_CHARS,
    MAX_DISPLAY_NAME_CHARS,
    block_create,
    block_delete,
    follow_create,
    follow_delete,
    profile_update,
)
from tiktok.api.pagination import NewestFirstCursorPagination
from videos.cards import video_cards
from videos.engagement_apis import SocialApiView


class ProfileUpdateInput(serializers.Serializer):
    display_name = serializers.CharField(
        required=False, allow_blank=True, max_length=MAX_DISPLAY_NAME_CHARS
    )
    bio = serializers.CharField(required=False, allow_blank=True, max_length=MAX_BIO_CHARS)
    avatar = serializers.FileField(required=False)
    avatar_clear = serializers.BooleanField(required=False, default=False)


class UserProfileApi(SocialApiView):
    permission_classes = [AllowAny]

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request: Request, username: str) -> Response:
        user = user_by_username(username=username)
        return Response(profile_json(user=user, viewer=request.user))


class MeProfileApi(SocialApiView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request: Request) -> Response:
        return Response(profile_json(user=request.user, viewer=request.user))

    @extend_schema(request=ProfileUpdateInput, responses=OpenApiTypes.OBJECT)
    def patch(self, request: Request) -> Response:
        data = ProfileUpdateInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        changes = {name: fields[name] for name in ("display_name", "bio") if name in fields}
        if fields.get("avatar_clear"):
            changes["avatar"] = None
        elif "avatar" in fields:
            changes["avatar"] = fields["avatar"]
        user = profile_update(user=request.user, **changes)
        return Response(profile_json(user=user, viewer=request.user))


class FollowApi(SocialApiView):
    throttle_scope = "likes"

    @extend_schema(request=None, responses=OpenApiTypes.OBJECT)
    def post(self, request: Request, username: str) -> Response:
        result = follow_create(follower=request.user, followee=user_by_username(username=username))
        return Response({"following": result.following, "followers": result.followers})

    @extend_schema(request=None, responses=OpenApiTypes.OBJECT)
    def delete(self, request: Request, username: str) -> Response:
        result = follow_delete(follower=request.user, followee=user_by_username(username=username))
        return Response({"following": result.following, "followers": result.followers})


class BlockApi(SocialApiView):
    throttle_scope = "likes"

    @extend_schema(request=None, responses=OpenApiTypes.OBJECT)
    def post(self, request: Request, username: str) -> Response:
        blocked = block_create(blocker=request.user, blocked=user_by_username(username=username))
        return Response({"blocked": blocked})

    @extend_schema(request=None, responses=OpenApiTypes.OBJECT)
    def delete(self, request: Request, username: str) -> Response:
        blocked = block_delete(blocker=request.user, blocked=user_by_username(username=username))
        return Response({"blocked": blocked})


def _video_page(view: SocialApiView, request: Request, queryset, *, reason=None) -> Response:  # noqa: ANN001
    """One cursor page of videos (or of like/save rows pointing at videos) as cards."""
    paginator = NewestFirstCursorPagination()
    page = paginator.paginate_queryset(queryset, request, view=view)
    videos = [getattr(row, "video", row) for row in page]
    cards = video_cards(videos=videos, viewer=request.user)
    if reason is not None:
        for card in cards:
            card["reason"] = reason
    return paginator.get_paginated_response(cards)


class UserVideosApi(SocialApiView):
    permission_classes = [AllowAny]

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request: Request, username: str) -> Response:
        user = user_by_username(username=username)
        return _video_page(self, request, user_videos(user=user, viewer=request.user))


class UserLikedApi(SocialApiView):
    permission_classes = [AllowAny]

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request: Request, username: str) -> Response:
        user = user_by_username(username=username)
        return _video_page(self, request, user_liked(user=user, viewer=request.user))


class MeSavedApi(SocialApiView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request: Request) -> Response:
        return _video_page(self, request, user_saved(user=request.user))


class FollowingFeedApi(SocialApiView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request: Request) -> Response:
        return _video_page(
            self,
            request,
            following_feed(viewer=request.user),
            reason={"kind": "following", "because": []},
        )


class MeAnalyticsApi(SocialApiView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request: Request) -> Response:
        return Response(creator_analytics(user=request.user))
