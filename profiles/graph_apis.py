"""Social-graph endpoints: follow (or request to), block, followers and following lists, and
the owner's follow-request inbox and follower removal."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from profiles.models import Follow, User
from profiles.selectors import (
    follow_requests_for,
    followee_of,
    follower_count,
    follower_of,
    followers_of,
    following_of,
    hidden_user_ids,
    user_blocked_by_viewer,
    user_card,
    user_for_viewer,
    user_unlocked_for,
)
from profiles.services.graph import (
    block_create,
    block_delete,
    follow_create,
    follow_delete,
    follow_request_approve,
    follow_request_deny,
    follower_remove,
)
from tiktok.api.base import ApiView
from tiktok.api.pagination import NewestFirstCursorPagination
from tiktok.api.schema import PAGE


class FollowApi(ApiView):
    throttle_scope = "likes"

    @extend_schema(request=None, responses=OpenApiTypes.OBJECT)
    def post(self, request: Request, username: str) -> Response:
        """Follow; on a private account this sends a request (`requested: true`)."""
        result = follow_create(
            follower=request.user, followee=user_for_viewer(username=username, viewer=request.user)
        )
        return Response(
            {
                "following": result.following,
                "requested": result.requested,
                "followers": result.followers,
            }
        )

    @extend_schema(request=None, responses=OpenApiTypes.OBJECT)
    def delete(self, request: Request, username: str) -> Response:
        """Unfollow, or withdraw a pending request. An account that blocked you does not exist
        here either (a block already removed any follow or request between you)."""
        result = follow_delete(
            follower=request.user, followee=followee_of(user=request.user, username=username)
        )
        return Response(
            {"following": result.following, "requested": False, "followers": result.followers}
        )


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
        # Someone who blocked you back (or was suspended since) is still yours to unblock.
        blocked = block_delete(
            blocker=request.user,
            blocked=user_blocked_by_viewer(username=username, viewer=request.user),
        )
        return Response({"blocked": blocked})


def _people_page(view: ApiView, request: Request, rows: Any, person: str) -> Response:
    """A cursor page of Follow or FollowRequest rows as user cards (with when), leaving out
    people the viewer does not see across a block."""
    paginator = NewestFirstCursorPagination()
    page = paginator.paginate_queryset(rows, request, view=view)
    hidden = hidden_user_ids(viewer=request.user)
    results = [
        {**user_card(getattr(row, person)), "since": row.created_at.isoformat()}
        for row in page
        if getattr(row, f"{person}_id") not in hidden
    ]
    return paginator.get_paginated_response(results)


def _unless_blocked(rows: QuerySet[Follow], user: User, request: Request) -> QuerySet[Follow]:
    """No one, for an account the viewer blocked: its header shows only its name
    (`restricted`), and its videos and likes are empty too."""
    if user.pk in hidden_user_ids(viewer=request.user):
        return rows.none()
    return rows


class UserFollowersApi(ApiView):
    permission_classes = [AllowAny]

    @extend_schema(parameters=PAGE, responses=OpenApiTypes.OBJECT)
    def get(self, request: Request, username: str) -> Response:
        """Who follows this user (a private account's list: its followers only)."""
        user = user_for_viewer(username=username, viewer=request.user)
        user_unlocked_for(user=user, viewer=request.user)
        return _people_page(
            self, request, _unless_blocked(followers_of(user=user), user, request), "follower"
        )


class UserFollowingApi(ApiView):
    permission_classes = [AllowAny]

    @extend_schema(parameters=PAGE, responses=OpenApiTypes.OBJECT)
    def get(self, request: Request, username: str) -> Response:
        """Whom this user follows (a private account's list: its followers only)."""
        user = user_for_viewer(username=username, viewer=request.user)
        user_unlocked_for(user=user, viewer=request.user)
        return _people_page(
            self, request, _unless_blocked(following_of(user=user), user, request), "followee"
        )


class MeFollowersApi(ApiView):
    permission_classes = [IsAuthenticated]
    throttle_scope = "likes"

    @extend_schema(request=None, responses=OpenApiTypes.OBJECT)
    def delete(self, request: Request, username: str) -> Response:
        """Remove a follower (they are not told)."""
        follower = follower_of(user=request.user, username=username)
        return Response(
            {"removed": True, "followers": follower_remove(user=request.user, follower=follower)}
        )


class MeFollowRequestsApi(ApiView):
    permission_classes = [IsAuthenticated]

    @extend_schema(parameters=PAGE, responses=OpenApiTypes.OBJECT)
    def get(self, request: Request) -> Response:
        """Pending requests to follow you, newest first."""
        return _people_page(self, request, follow_requests_for(target=request.user), "requester")


class MeFollowRequestDecisionApi(ApiView):
    permission_classes = [IsAuthenticated]
    throttle_scope = "likes"
    decision = "approve"

    @extend_schema(request=None, responses=OpenApiTypes.OBJECT)
    def post(self, request: Request, username: str) -> Response:
        # As for a name with no account when the requester blocked you (a block already removed
        # any request between you): "no pending request" would tell you the account exists.
        requester = user_for_viewer(username=username, viewer=request.user)
        if self.decision == "approve":
            follow_request_approve(target=request.user, requester=requester)
        else:
            follow_request_deny(target=request.user, requester=requester)
        return Response(
            {
                "approved": self.decision == "approve",
                # as the lists count them: a suspended account is in neither
                "pending": follow_requests_for(target=request.user).count(),
                "followers": follower_count(request.user),
            }
        )
