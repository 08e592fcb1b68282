"""Feed API: For You page, Following feed, interaction batches and similar videos (thin
views)."""

from __future__ import annotations

from django.conf import settings
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from feed.selectors import FOLLOWING_ORDERING, feed_page, following_feed, video_similar
from feed.services import interactions_record
from feed.sessions import feed_session
from tiktok.api.base import ApiView
from tiktok.api.pagination import KeysetCursorPagination
from tiktok.api.schema import LIMIT, PAGE, query
from tiktok.api.sessions import request_session_id
from tiktok.api.throttling import client_identity
from videos.apis.creators import video_list_response


class FeedApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        parameters=[
            *PAGE,
            query(
                "release",
                OpenApiTypes.STR,
                "ids (comma-separated) of the last page's videos never shown: may come again",
            ),
            query(
                "session_id",
                OpenApiTypes.STR,
                "the client's session id (or the X-Session-Id header)",
            ),
        ],
        responses=OpenApiTypes.OBJECT,
    )
    def get(self, request: Request) -> Response:
        session = feed_session(request, cursor=request.query_params.get("cursor") or None)
        body = feed_page(
            viewer=request.user,
            session_id=session.session_id,
            cursor=session.cursor,
            limit=request.query_params.get("limit", settings.FEED_PAGE_SIZE_DEFAULT),
            release=request.query_params.get("release"),
            session_carried=session.carried,
        )
        return Response(body)


class InteractionsApi(APIView):
    permission_classes = [AllowAny]
    throttle_scope = "interactions"

    @extend_schema(request=OpenApiTypes.OBJECT, responses={202: OpenApiTypes.OBJECT})
    def post(self, request: Request) -> Response:
        events = request.data
        traffic_source = None
        if isinstance(events, dict) and "events" in events:
            traffic_source = events.get("traffic_source")
            events = events["events"]
        result = interactions_record(
            user=request.user,
            session_id=request_session_id(request),
            events=events,
            traffic_source=traffic_source,
            from_client=True,
            client=client_identity(request),
        )
        return Response(result, status=status.HTTP_202_ACCEPTED)


class SimilarVideosApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(parameters=[LIMIT], responses=OpenApiTypes.OBJECT)
    def get(self, request: Request, pk: int) -> Response:
        limit = request.query_params.get("limit", settings.FEED_PAGE_SIZE_DEFAULT)
        return Response(video_similar(viewer=request.user, video_id=pk, limit=limit))


class FollowingFeedApi(ApiView):
    permission_classes = [IsAuthenticated]

    @extend_schema(parameters=PAGE, responses=OpenApiTypes.OBJECT)
    def get(self, request: Request) -> Response:
        return video_list_response(
            self,
            request,
            following_feed(viewer=request.user),
            reason={"kind": "following", "because": []},
            paginator=KeysetCursorPagination(
                FOLLOWING_ORDERING, scope=f"following:{request.user.pk}"
            ),
        )
