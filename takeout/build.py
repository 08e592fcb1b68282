"""Building a person's data archive (a worker): the zip is written to a temporary folder,
stored under exports/<key>/data.zip, and the person told it is ready."""

from __future__ import annotations

import logging
import tempfile
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from notifications.models import NotificationKind
from notifications.services import Notice, notification_add
from takeout.archive import ArchiveTooLarge, archive_write
from takeout.models import DataExport, ExportState
from tiktok.storage import storage_delete_prefix, storage_put, storage_temp_root

logger = logging.getLogger(__name__)

FAILED_MESSAGE = "The archive could not be made. Ask for a new one; if it fails again, tell us."
TOO_LARGE_MESSAGE = (
    "The archive is too large to be made right now (not enough room on the server). Tell us."
)


def _claim(export_id: int) -> DataExport | None:
    """pending -> building, once: a task sent twice builds once. A build that has been running
    longer than a task may live was lost with its worker: the broker's redelivery of that task
    takes it over."""
    now = timezone.now()
    lost = now - timedelta(seconds=settings.LONG_TASK_TIME_LIMIT)
    claimed = (
        DataExport.objects.filter(pk=export_id)
        .filter(Q(state=ExportState.PENDING) | Q(state=ExportState.BUILDING, started_at__lt=lost))
        .update(state=ExportState.BUILDING, started_at=now)
    )
    if not claimed:
        return None
    return DataExport.objects.select_related("user").filter(pk=export_id).first()


def _failed(export: DataExport, message: str) -> str:
    """building -> failed, and its files deleted; an export no longer building (made ready, or
    its account deleted, meanwhile) is left as it is, its archive with it."""
    failed = DataExport.objects.filter(pk=export.pk, state=ExportState.BUILDING).update(
        state=ExportState.FAILED, error=message, finished_at=timezone.now()
    )
    if not failed:
        current = DataExport.objects.filter(pk=export.pk).values_list("state", flat=True).first()
        return current or "gone"
    discard(export.prefix)
    return ExportState.FAILED


def data_export_build(*, export_id: int) -> str:
    """Build a pending export's archive and store it; returns the export's state afterwards
    ("gone" when its account was deleted meanwhile)."""
    export = _claim(export_id)
    if export is None:
        current = DataExport.objects.filter(pk=export_id).values_list("state", flat=True).first()
        return current or "gone"
    made_at = timezone.now()
    try:
        # Under this process's work folder: what a build killed mid-way leaves (a zip of GBs) is
        # removed by the next worker's start-up clean-up (`storage_temp_clean`).
        with tempfile.TemporaryDirectory(prefix="takeout-", dir=storage_temp_root()) as folder:
            path = Path(folder) / "data.zip"
            archive_write(user=export.user, target=path, made_at=made_at)
            size = path.stat().st_size
            storage_put(export.object_name, path)
    except ArchiveTooLarge:
        logger.warning("data export %s: not enough free disk for the archive", export_id)
        return _failed(export, TOO_LARGE_MESSAGE)
    except Exception:  # noqa: BLE001 - whatever it was, the person is told and may ask again
        logger.exception("data export %s failed", export_id)
        return _failed(export, FAILED_MESSAGE)
    # Outside the failures above: once the row says ready, an error after its commit (the live
    # push of the notice) must not delete the archive it points to.
    return _ready(export, size)


def _ready(export: DataExport, size: int) -> str:
    with transaction.atomic():
        row = DataExport.objects.select_for_update().filter(pk=export.pk).first()
        if row is None or row.state != ExportState.BUILDING:
            # The account was deleted (or the sweep gave up on the build) meanwhile.
            transaction.on_commit(lambda: discard(export.prefix))
            return row.state if row is not None else "gone"
        now = timezone.now()
        row.state = ExportState.READY
        row.size_bytes = size
        row.finished_at = now
        row.expires_at = now + timedelta(hours=settings.TAKEOUT_KEEP_HOURS)
        row.save(update_fields=["state", "size_bytes", "finished_at", "expires_at"])
        notification_add(
            Notice(
                recipient_id=row.user_id,
                kind=NotificationKind.DATA_EXPORT_READY,
                group_key=f"data_export:{row.pk}",
                data={"expires_at": row.expires_at.isoformat()},
            )
        )
    return ExportState.READY


def discard(prefix: str) -> None:
    try:
        storage_delete_prefix(prefix)
    except Exception:  # noqa: BLE001 - the sweep deletes files no row owns
        logger.warning("could not delete %s", prefix, exc_info=True)
