"""Files follow rows: when an export row goes (its account was deleted, or an admin deleted
it), its archive is deleted once that is committed."""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction

from takeout.models import DataExport
from tiktok.storage import storage_delete_prefix

logger = logging.getLogger(__name__)


def on_export_deleted(sender: Any, instance: DataExport, **kwargs: Any) -> None:
    prefix = instance.prefix

    def delete_files() -> None:
        try:
            storage_delete_prefix(prefix)
        except Exception:  # noqa: BLE001 - the row is gone; the hourly sweep removes what is left
            logger.warning("could not delete the archive under %s", prefix, exc_info=True)

    transaction.on_commit(delete_files)
