"""Files follow rows: a deleted sound's files (sounds/<media_key>/) go once that is committed."""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction

from sounds.models import Sound
from sounds.services import sound_favorites_release
from tiktok.storage import storage_delete_prefix

logger = logging.getLogger(__name__)


def on_sound_deleted(sender: Any, instance: Sound, **kwargs: Any) -> None:
    prefix = f"sounds/{instance.media_key}/"

    def delete_files() -> None:
        try:
            storage_delete_prefix(prefix)
        except Exception:  # noqa: BLE001 - the row is gone; the orphan sweep removes the rest
            logger.warning("could not delete the files under %s", prefix, exc_info=True)

    transaction.on_commit(delete_files)


def on_account_deleting(sender: Any, instance: Any, **kwargs: Any) -> None:
    """The sounds a deleted account saved stop counting it."""
    sound_favorites_release(user_id=instance.pk)
