"""Data archives: what a person asks for. The archive is built by a worker (`build.py`); the
hourly sweep (`sweep.py`) expires old ones and recovers lost builds."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from profiles.models import User
from takeout.models import OPEN_STATES, DataExport, ExportState
from takeout.tasks import data_export_build_task
from tiktok.errors import RateLimited


def data_export_request(*, user: User) -> tuple[DataExport, bool]:
    """Ask for an archive of the user's data: (the export, True when this made a new one).

    One in the making is returned as it is; a new one may follow a ready one after
    TAKEOUT_REQUEST_INTERVAL_HOURS (RateLimited before), a failed or expired one at once."""
    with transaction.atomic():
        # One request at a time per person (two clicks make one archive).
        User.objects.select_for_update(no_key=True).filter(pk=user.pk).first()
        latest = DataExport.objects.filter(user=user).order_by("-requested_at", "-pk").first()
        if latest is not None and latest.state in OPEN_STATES:
            return latest, False
        if latest is not None and latest.state == ExportState.READY:
            allowed_at = latest.requested_at + timedelta(
                hours=settings.TAKEOUT_REQUEST_INTERVAL_HOURS
            )
            wait = (allowed_at - timezone.now()).total_seconds()
            if wait > 0:
                raise RateLimited(
                    "your last archive is still ready to download; a new one may be asked for "
                    f"from {allowed_at.replace(microsecond=0).isoformat()}",
                    retry_after_seconds=int(wait) + 1,
                    code="export_too_soon",
                )
        export = DataExport.objects.create(user=user)
        transaction.on_commit(lambda: data_export_build_task.delay(export_id=export.pk))
    return export, True
