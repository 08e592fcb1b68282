"""Data archives: what a person asks for. The archive is built by a worker (`build.py`); the
hourly sweep (`sweep.py`) expires old ones and recovers lost builds."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from profiles.models import User
from takeout.models import OPEN_STATES, DataExport, ExportState
from takeout.tasks import data_export_build_task
from tiktok.errors import RateLimited

logger = logging.getLogger(__name__)


def _wait_words(seconds: float) -> str:
    hours, minutes = divmod(max(1, round(seconds / 60)), 60)
    return f"{hours} h {minutes} min" if hours else f"{minutes} min"


def data_export_request(*, user: User) -> tuple[DataExport, bool]:
    """Ask for an archive of the user's data: (the export, True when this made a new one).

    One in the making is returned as it is. A new one may follow a ready one after
    TAKEOUT_REQUEST_INTERVAL_HOURS, a failed or expired one at once, and at most
    TAKEOUT_REQUESTS_PER_DAY are made in any 24 hours (RateLimited otherwise)."""
    now = timezone.now()
    with transaction.atomic():
        # One request at a time per person (two clicks make one archive).
        User.objects.select_for_update(no_key=True).filter(pk=user.pk).first()
        mine = DataExport.objects.filter(user=user).order_by("-requested_at", "-pk")
        latest = mine.first()
        if latest is not None and latest.state in OPEN_STATES:
            return latest, False
        if latest is not None and latest.state == ExportState.READY:
            wait = (
                latest.requested_at + timedelta(hours=settings.TAKEOUT_REQUEST_INTERVAL_HOURS) - now
            ).total_seconds()
            if wait > 0:
                raise RateLimited(
                    "your last archive is still ready to download; a new one may be asked for "
                    f"in {_wait_words(wait)}",
                    retry_after_seconds=int(wait) + 1,
                    code="export_too_soon",
                )
        day = list(
            mine.filter(requested_at__gt=now - timedelta(days=1)).values_list(
                "requested_at", flat=True
            )[: settings.TAKEOUT_REQUESTS_PER_DAY]
        )
        if len(day) >= settings.TAKEOUT_REQUESTS_PER_DAY:
            wait = (day[-1] + timedelta(days=1) - now).total_seconds()
            raise RateLimited(
                f"{settings.TAKEOUT_REQUESTS_PER_DAY} archives were asked for in the last 24 "
                f"hours; ask again in {_wait_words(wait)}",
                retry_after_seconds=int(wait) + 1,
                code="export_limit",
            )
        export = DataExport.objects.create(user=user)
        transaction.on_commit(lambda: _build_queue(export.pk))
    return export, True


def _build_queue(export_id: int) -> None:
    """Hand the build to a worker; with the broker down the request still succeeds (the export
    is recorded, pending) and the sweep sends the build again later."""
    try:
        data_export_build_task.delay(export_id=export_id)
    except Exception:  # noqa: BLE001 - a broker outage never fails the request
        logger.warning(
            "data export %s: the task queue is unreachable; the sweep will send it",
            export_id,
            exc_info=True,
        )
