"""Reporting endpoint: `POST /api/reports` (signed in only)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from moderation.models import MAX_REPORT_DETAIL_CHARS, ReportKind, ReportReason
from moderation.services import report_create
from tiktok.api.base import ApiView


class ReportInput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ReportKind.choices)
    id = serializers.IntegerField(required=False, min_value=1)
    username = serializers.CharField(required=False, max_length=150)
    reason = serializers.ChoiceField(choices=ReportReason.choices)
    # Length and NULs are checked by the service (one rule for every caller).
    detail = serializers.CharField(
        required=False, allow_blank=True, default="", trim_whitespace=False
    )

    def validate(self, data: dict) -> dict:
        if data["kind"] == ReportKind.USER:
            if "username" not in data and "id" not in data:
                raise serializers.ValidationError({"username": ["give the account's username"]})
        elif "id" not in data:
            raise serializers.ValidationError({"id": [f"give the {data['kind']}'s id"]})
        return data


class ReportOutput(serializers.Serializer):
    id = serializers.IntegerField()
    case_id = serializers.IntegerField()
    kind = serializers.CharField()
    reason = serializers.CharField()
    created = serializers.BooleanField()


class ReportsApi(ApiView):
    permission_classes = [IsAuthenticated]
    throttle_scope = "reports"

    @extend_schema(
        request=ReportInput,
        responses={201: ReportOutput, 200: ReportOutput},
        description=(
            "Report a video, comment, account or sound with a reason and optional detail (at most "
            f"{MAX_REPORT_DETAIL_CHARS} characters). 201 for a new report, 200 when your report "
            "of this item is already open."
        ),
    )
    def post(self, request: Request) -> Response:
        data = ReportInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        result = report_create(
            reporter=request.user,
            kind=values["kind"],
            reason=values["reason"],
            detail=values["detail"],
            item_id=values.get("id"),
            username=values.get("username"),
        )
        report = result.report
        body = ReportOutput(
            {
                "id": report.pk,
                "case_id": report.case_id,
                "kind": values["kind"],
                "reason": report.reason,
                "created": result.created,
            }
        ).data
        return Response(
            body, status=status.HTTP_201_CREATED if result.created else status.HTTP_200_OK
        )
