"""The base view of the JSON API: 401 (not 403) for anonymous writes, scoped throttles on writes."""

from __future__ import annotations

from rest_framework.permissions import SAFE_METHODS, IsAuthenticatedOrReadOnly
from rest_framework.request import Request
from rest_framework.views import APIView

from tiktok.api.throttling import AnonRateThrottle, ScopedRateThrottle, UserRateThrottle


class WriteScopedRateThrottle(ScopedRateThrottle):
    """The view's throttle_scope, applied to writes only (reading comments is not throttled)."""

    def allow_request(self, request: Request, view: APIView) -> bool:
        if request.method in SAFE_METHODS:
            return True
        return super().allow_request(request, view)


class ApiView(APIView):
    """Base view: 401 (not 403) for anonymous writes, scoped throttles on writes only."""

    permission_classes = [IsAuthenticatedOrReadOnly]
    throttle_classes = [AnonRateThrottle, UserRateThrottle, WriteScopedRateThrottle]

    def get_authenticate_header(self, request: Request) -> str:
        # Session auth has no WWW-Authenticate challenge, which makes DRF turn 401 into 403;
        # the token scheme's challenge keeps "sign in first" distinguishable from "forbidden".
        return 'Token realm="api"'
