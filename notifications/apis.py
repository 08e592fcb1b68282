"""Notification endpoints: the list, the unread count, marking read, preferences."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from notifications.selectors import (
    notification_payloads,
    notification_preferences,
    notifications_for,
    unread_count,
)
from notifications.services import notification_preferences_set, notifications_mark_read
from tiktok.api.base import ApiView
from tiktok.api.pagination import NewestFirstCursorPagination
from tiktok.api.schema import PAGE

MAX_READ_IDS = 200


class LatestActivityPagination(NewestFirstCursorPagination):
    """Groups move up when someone joins them, so they are ordered by their latest activity."""

    ordering = ("-updated_at", "-id")


class NotificationsApi(ApiView):
    permission_classes = [IsAuthenticated]

    @extend_schema(parameters=PAGE, responses=OpenApiTypes.OBJECT)
    def get(self, request: Request) -> Response:
        """Your notifications, latest activity first, with the unread count."""
        paginator = LatestActivityPagination()
        page = paginator.paginate_queryset(notifications_for(user=request.user), request, self)
        response = paginator.get_paginated_response(
            notification_payloads(notifications=page, viewer=request.user)
        )
        response.data["unread"] = unread_count(user_id=request.user.pk)
        return response


class UnreadCountApi(ApiView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request: Request) -> Response:
        return Response({"unread": unread_count(user_id=request.user.pk)})


class MarkReadInput(serializers.Serializer):
    ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1), max_length=MAX_READ_IDS, allow_empty=False
    )


class MarkReadApi(ApiView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=MarkReadInput, responses=OpenApiTypes.OBJECT)
    def post(self, request: Request) -> Response:
        """Mark these notifications read (others' ids are ignored)."""
        data = MarkReadInput(data=request.data)
        data.is_valid(raise_exception=True)
        changed = notifications_mark_read(user=request.user, ids=data.validated_data["ids"])
        return Response({"marked": changed, "unread": unread_count(user_id=request.user.pk)})


class MarkAllReadApi(ApiView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses=OpenApiTypes.OBJECT)
    def post(self, request: Request) -> Response:
        changed = notifications_mark_read(user=request.user)
        return Response({"marked": changed, "unread": 0})


class PreferencesApi(ApiView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request: Request) -> Response:
        return Response(notification_preferences(user=request.user))

    @extend_schema(request=OpenApiTypes.OBJECT, responses=OpenApiTypes.OBJECT)
    def patch(self, request: Request) -> Response:
        """`{"like": false, "follow": true}`: turn kinds off or on."""
        data = request.data
        if not isinstance(data, dict) or not all(isinstance(v, bool) for v in data.values()):
            raise serializers.ValidationError(
                {"non_field_errors": ["send an object of kind: true/false"]}
            )
        notification_preferences_set(user=request.user, enabled=dict(data))
        return Response(notification_preferences(user=request.user))
