"""Studio API: the signed-in creator's dashboard overview and per-video drill-down, and the
older totals at /api/me/analytics (thin views)."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from studio.analytics import creator_analytics
from studio.selectors import studio_overview, studio_range, studio_video
from tiktok.api.base import ApiView
from tiktok.api.schema import PERIOD


def _period(request: Request):  # noqa: ANN202 - a studio.figures.DateRange
    return studio_range(
        from_raw=request.query_params.get("from"), to_raw=request.query_params.get("to")
    )


class StudioOverviewApi(ApiView):
    permission_classes = [IsAuthenticated]

    @extend_schema(parameters=PERIOD, responses=OpenApiTypes.OBJECT)
    def get(self, request: Request) -> Response:
        return Response(studio_overview(creator=request.user, period=_period(request)))


class StudioVideoApi(ApiView):
    permission_classes = [IsAuthenticated]

    @extend_schema(parameters=PERIOD, responses=OpenApiTypes.OBJECT)
    def get(self, request: Request, pk: int) -> Response:
        return Response(studio_video(viewer=request.user, video_id=pk, period=_period(request)))


class MeAnalyticsApi(ApiView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request: Request) -> Response:
        return Response(creator_analytics(user=request.user))
