"""The hourly sweep of data archives: expire ready ones past their time, fail builds lost with
their worker, find requests whose task the broker lost, delete archive files no export owns."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from takeout.build import discard
from takeout.models import OPEN_STATES, DataExport, ExportState
from tiktok.storage import storage_listing

LOST_MESSAGE = "The archive was interrupted while it was being made. Ask for a new one."


def data_exports_sweep() -> tuple[dict[str, int], list[int]]:
    """Expire ready archives past their time, fail builds lost with their worker, delete
    archive folders no live export owns; returns what it did and the pending exports whose
    build task was lost (to be sent again)."""
    now = timezone.now()
    done = {"expired": 0, "failed": 0, "orphans": 0}
    for export in DataExport.objects.filter(state=ExportState.READY, expires_at__lte=now):
        discard(export.prefix)
        done["expired"] += DataExport.objects.filter(pk=export.pk, state=ExportState.READY).update(
            state=ExportState.EXPIRED
        )
    lost_before = now - timedelta(minutes=settings.TAKEOUT_BUILD_TIMEOUT_MINUTES)
    for export in DataExport.objects.filter(state=ExportState.BUILDING, started_at__lt=lost_before):
        if DataExport.objects.filter(pk=export.pk, state=ExportState.BUILDING).update(
            state=ExportState.FAILED, error=LOST_MESSAGE, finished_at=now
        ):
            discard(export.prefix)
            done["failed"] += 1
    requeue_before = now - timedelta(minutes=settings.TAKEOUT_REQUEUE_MINUTES)
    lost = list(
        DataExport.objects.filter(
            state=ExportState.PENDING, requested_at__lt=requeue_before
        ).values_list("pk", flat=True)
    )
    live = set(
        DataExport.objects.filter(state__in=(*OPEN_STATES, ExportState.READY)).values_list(
            "key", flat=True
        )
    )
    orphans = set()
    for name, stored in storage_listing("exports").items():
        parts = name.split("/")
        old = stored.last_modified is None or stored.last_modified < lost_before.timestamp()
        if len(parts) >= 3 and parts[1] not in live and old:
            orphans.add(parts[1])
    for key in sorted(orphans):
        discard(f"exports/{key}/")
    done["orphans"] = len(orphans)
    return done, lost
