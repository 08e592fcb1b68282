"""Social-graph endpoints: follow and block a user."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from profiles.selectors import user_by_username, user_for_viewer
from profiles.services.graph import block_create, block_delete, follow_create, follow_delete
from tiktok.api.base import ApiView


class FollowApi(ApiView):
    throttle_scope = "likes"

    @extend_schema(request=None, responses=OpenApiTypes.OBJECT)
    def post(self, request: Request, username: str) -> Response:
        result = follow_create(
            follower=request.user, followee=user_for_viewer(username=username, viewer=request.user)
        )
        return Response({"following": result.following, "followers": result.followers})

    @extend_schema(request=None, responses=OpenApiTypes.OBJECT)
    def delete(self, request: Request, username: str) -> Response:
        result = follow_delete(follower=request.user, followee=user_by_username(username=username))
        return Response({"following": result.following, "followers": result.followers})


class BlockApi(ApiView):
    throttle_scope = "likes"

    @extend_schema(request=None, responses=OpenApiTypes.OBJECT)
    def post(self, request: Request, username: str) -> Response:
        blocked = block_create(
            blocker=request.user, blocked=user_for_viewer(username=username, viewer=request.user)
        )
        return Response({"blocked": blocked})

    @extend_schema(request=None, responses=OpenApiTypes.OBJECT)
    def delete(self, request: Request, username: str) -> Response:
        blocked = block_delete(
            blocker=request.user, blocked=user_for_viewer(username=username, viewer=request.user)
        )
        return Response({"blocked": blocked})
