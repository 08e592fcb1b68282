"""Files follow rows: when an export row goes (its account was deleted, or an admin deleted
it), its archive is deleted once that is committed."""

from __future__ import annotations

import logging
from typing import Any

from takeout.models import DataExport
from tiktok.storage import storage_delete_later

logger = logging.getLogger(__name__)


def on_export_deleted(sender: Any, instance: DataExport, **kwargs: Any) -> None:
    storage_delete_later(prefixes=[instance.prefix])
