"""Download your data: ask for an archive, see how it is going, download it (the owner only,
while it is kept)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from django.http import HttpResponse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from takeout.models import DataExport, ExportState
from takeout.services import data_export_request
from tiktok.api.base import ApiView
from tiktok.errors import Conflict, NotFound
from tiktok.storage import StoredFile, storage_stat
from tiktok.web.ranged import stored_file_response

LISTED = 5


def export_payload(export: DataExport) -> dict[str, Any]:
    ready = export.state == ExportState.READY
    return {
        "id": export.pk,
        "state": export.state,
        "requested_at": export.requested_at.isoformat(),
        "finished_at": export.finished_at.isoformat() if export.finished_at else None,
        "expires_at": export.expires_at.isoformat() if ready and export.expires_at else None,
        "size_bytes": export.size_bytes if ready else None,
        "error": export.error or None,
        "download_url": f"/api/me/data-exports/{export.pk}/download" if ready else None,
    }


class DataExportsApi(ApiView):
    permission_classes = [IsAuthenticated]
    throttle_scope = "data_exports"

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request: Request) -> Response:
        """Your latest archives, newest first."""
        exports = DataExport.objects.filter(user=request.user).order_by("-requested_at", "-pk")
        return Response({"results": [export_payload(e) for e in exports[:LISTED]]})

    @extend_schema(request=None, responses={202: OpenApiTypes.OBJECT})
    def post(self, request: Request) -> Response:
        """Ask for an archive of your data: 202 with the new one, or 200 with the one already
        being made; 429 `export_too_soon` while a recent one is still ready."""
        export, created = data_export_request(user=request.user)
        return Response(
            export_payload(export),
            status=status.HTTP_202_ACCEPTED if created else status.HTTP_200_OK,
        )


class DataExportDownloadApi(ApiView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={(200, "application/zip"): OpenApiTypes.BINARY})
    def get(self, request: Request, export_id: int) -> HttpResponse:
        """The archive (a zip), with range requests; only its owner may download it."""
        export = DataExport.objects.filter(pk=export_id, user=request.user).first()
        if export is None:
            raise NotFound("no such archive", code="export_not_found")
        if export.state == ExportState.EXPIRED or (
            export.expires_at is not None and export.expires_at <= timezone.now()
        ):
            raise NotFound(
                "this archive has expired and was deleted; ask for a new one",
                code="export_expired",
            )
        if export.state != ExportState.READY:
            raise Conflict(f"this archive is {export.state}, not ready", code="export_not_ready")
        stored = storage_stat(export.object_name)
        if stored is None:
            raise NotFound(
                "this archive is no longer stored; ask for a new one", code="export_gone"
            )
        return _stream(request, export, stored)


def _stream(request: Request, export: DataExport, stored: StoredFile) -> HttpResponse:
    day = (export.finished_at or export.requested_at).date().isoformat()
    name = export.user.username if export.user.username.isascii() else "account"
    # A resumed download (If-Range) asks for the rest of this very archive.
    archive = replace(stored, etag=f'"{export.key}"', last_modified=export.finished_at.timestamp())
    return stored_file_response(
        request,
        export.object_name,
        stored=archive,
        content_type="application/zip",
        headers={
            "Cache-Control": "private, no-store",
            "Content-Disposition": f'attachment; filename="data-{name}-{day}.zip"',
        },
    )
