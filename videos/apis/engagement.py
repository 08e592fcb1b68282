"""Engagement endpoints: like, save, share and comments on a video."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from profiles.viewers import is_signed_in
from tiktok.api.base import ApiView
from tiktok.api.pagination import NewestFirstCursorPagination
from tiktok.api.schema import PAGE, query
from tiktok.api.sessions import request_session_id
from tiktok.api.throttling import UserRateThrottle, client_identity
from tiktok.errors import AuthenticationFailed, InvalidInput
from videos.selectors.engagement import (
    comment_for_viewer,
    comment_readable_for_viewer,
    comment_replies,
    comments_json,
    comments_top_level,
)
from videos.selectors.videos import video_for_viewer
from videos.services.comment_likes import comment_like_create, comment_like_delete
from videos.services.engagement import (
    SHARE_TO_USER_CHANNEL,
    comment_create,
    comment_delete,
    like_create,
    like_delete,
    save_create,
    save_delete,
    share_create,
    share_to_user_create,
)


class LikeOutput(serializers.Serializer):
    liked = serializers.BooleanField()
    likes = serializers.IntegerField()


class SaveOutput(serializers.Serializer):
    saved = serializers.BooleanField()
    saves = serializers.IntegerField()


class ShareInput(serializers.Serializer):
    channel = serializers.RegexField(
        r"^[a-z0-9_]{0,32}$",
        required=False,
        allow_blank=True,
        default="",
        error_messages={"invalid": "up to 32 lowercase letters, digits or '_'"},
    )
    # The recipient's username, for channel "user" (an in-app share).
    to = serializers.CharField(required=False, allow_blank=True, max_length=150)


class ShareOutput(serializers.Serializer):
    shares = serializers.IntegerField()
    url = serializers.CharField()


class CommentInput(serializers.Serializer):
    # Length and emptiness are checked by the service (one rule for every caller).
    body = serializers.CharField(allow_blank=True, trim_whitespace=False)
    parent_id = serializers.IntegerField(required=False, allow_null=True, min_value=1)


class LikeApi(ApiView):
    throttle_scope = "likes"

    @extend_schema(request=None, responses={200: LikeOutput})
    def post(self, request: Request, video_id: int) -> Response:
        video = video_for_viewer(video_id=video_id, viewer=request.user)
        result = like_create(
            user=request.user,
            video=video,
            session_id=request_session_id(request),
            client=client_identity(request),
        )
        return Response({"liked": result.active, "likes": result.count})

    @extend_schema(request=None, responses={200: LikeOutput})
    def delete(self, request: Request, video_id: int) -> Response:
        video = video_for_viewer(video_id=video_id, viewer=request.user)
        result = like_delete(
            user=request.user,
            video=video,
            session_id=request_session_id(request),
            client=client_identity(request),
        )
        return Response({"liked": result.active, "likes": result.count})


class SaveApi(ApiView):
    throttle_scope = "likes"

    @extend_schema(request=None, responses={200: SaveOutput})
    def post(self, request: Request, video_id: int) -> Response:
        video = video_for_viewer(video_id=video_id, viewer=request.user)
        result = save_create(
            user=request.user,
            video=video,
            session_id=request_session_id(request),
            client=client_identity(request),
        )
        return Response({"saved": result.active, "saves": result.count})

    @extend_schema(request=None, responses={200: SaveOutput})
    def delete(self, request: Request, video_id: int) -> Response:
        video = video_for_viewer(video_id=video_id, viewer=request.user)
        result = save_delete(
            user=request.user,
            video=video,
            session_id=request_session_id(request),
            client=client_identity(request),
        )
        return Response({"saved": result.active, "saves": result.count})


class ShareToUserThrottle(UserRateThrottle):
    """In-app shares each notify someone: they have a rate of their own (scope
    `share_to_user`) on top of the `likes` scope every share counts against."""

    scope = "share_to_user"

    def allow_request(self, request: Request, view: ApiView) -> bool:
        data = request.data if isinstance(request.data, dict) else {}
        channel = data.get("channel")
        # As ShareInput reads it (a CharField strips whitespace): "user " is an in-app share.
        if request.method != "POST" or not (
            isinstance(channel, str) and channel.strip() == SHARE_TO_USER_CHANNEL
        ):
            return True
        return super().allow_request(request, view)


class ShareApi(ApiView):
    permission_classes = [AllowAny]
    throttle_scope = "likes"
    throttle_classes = [*ApiView.throttle_classes, ShareToUserThrottle]

    @extend_schema(request=ShareInput, responses={200: ShareOutput})
    def post(self, request: Request, video_id: int) -> Response:
        data = ShareInput(data=request.data or {})
        data.is_valid(raise_exception=True)
        to_user = data.validated_data["channel"] == SHARE_TO_USER_CHANNEL
        if to_user and not is_signed_in(request.user):
            raise AuthenticationFailed("sign in to send a video to someone")
        video = video_for_viewer(video_id=video_id, viewer=request.user)
        if to_user:
            if not data.validated_data.get("to", "").strip():
                raise InvalidInput(
                    "name who to send it to", code="invalid", fields={"to": ["required"]}
                )
            share = share_to_user_create(
                user=request.user,
                video=video,
                to=data.validated_data["to"],
                session_id=request_session_id(request),
                client=client_identity(request),
            )
            return Response(
                {
                    "shares": video.share_count,
                    "url": f"/v/{video.pk}",
                    "to": share.recipient.username,
                }
            )
        shares = share_create(
            user=request.user,
            video=video,
            channel=data.validated_data["channel"],
            session_id=request_session_id(request),
            client=client_identity(request),
        )
        return Response({"shares": shares, "url": f"/v/{video.pk}"})


class RepliesOldestFirstPagination(NewestFirstCursorPagination):
    ordering = ("created_at", "id")


class VideoCommentsApi(ApiView):
    throttle_scope = "comments"

    @extend_schema(
        parameters=[
            query("parent", OpenApiTypes.INT, "a comment's id: its replies, oldest first"),
            *PAGE,
        ],
        responses=OpenApiTypes.OBJECT,
    )
    def get(self, request: Request, video_id: int) -> Response:
        video = video_for_viewer(video_id=video_id, viewer=request.user)
        parent = request.query_params.get("parent")
        if parent:
            # isdigit() alone takes "²" and other Unicode digits, which int() refuses (a 500);
            # 19 digits or more may not fit a bigint id.
            if not (parent.isascii() and parent.isdigit() and len(parent) < 19):
                raise InvalidInput("parent must be a comment id", code="invalid")
            paginator = RepliesOldestFirstPagination()
            queryset = comment_replies(video=video, parent_id=int(parent), viewer=request.user)
        else:
            paginator = NewestFirstCursorPagination()
            queryset = comments_top_level(video=video, viewer=request.user)
        page = paginator.paginate_queryset(queryset, request, view=self)
        items = comments_json(
            comments=page, video=video, viewer=request.user, with_replies=not parent
        )
        return paginator.get_paginated_response(items)

    @extend_schema(request=CommentInput, responses={201: OpenApiTypes.OBJECT})
    def post(self, request: Request, video_id: int) -> Response:
        video = video_for_viewer(video_id=video_id, viewer=request.user)
        data = CommentInput(data=request.data)
        data.is_valid(raise_exception=True)
        comment = comment_create(
            author=request.user,
            video=video,
            body=data.validated_data["body"],
            parent_id=data.validated_data.get("parent_id"),
        )
        (item,) = comments_json(comments=[comment], video=video, viewer=request.user)
        return Response(item, status=status.HTTP_201_CREATED)


class CommentLikeApi(ApiView):
    throttle_scope = "likes"

    @extend_schema(request=None, responses={200: LikeOutput})
    def post(self, request: Request, comment_id: int) -> Response:
        comment = comment_readable_for_viewer(comment_id=comment_id, viewer=request.user)
        result = comment_like_create(user=request.user, comment=comment)
        return Response({"liked": result.active, "likes": result.count})

    @extend_schema(request=None, responses={200: LikeOutput})
    def delete(self, request: Request, comment_id: int) -> Response:
        comment = comment_readable_for_viewer(comment_id=comment_id, viewer=request.user)
        result = comment_like_delete(user=request.user, comment=comment)
        return Response({"liked": result.active, "likes": result.count})


class CommentApi(ApiView):
    throttle_scope = "comments"

    @extend_schema(request=None, responses={204: None})
    def delete(self, request: Request, comment_id: int) -> Response:
        comment = comment_for_viewer(comment_id=comment_id, viewer=request.user)
        comment_delete(comment=comment, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
