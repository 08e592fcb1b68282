"""Files follow rows: a deleted sound's files (sounds/<media_key>/) go once that is committed."""

from __future__ import annotations

import logging
from typing import Any

from sounds.models import Sound
from sounds.services import sound_favorites_release
from tiktok.storage import storage_delete_later

logger = logging.getLogger(__name__)


def on_sound_deleted(sender: Any, instance: Sound, **kwargs: Any) -> None:
    storage_delete_later(prefixes=[f"sounds/{instance.media_key}/"])


def on_account_deleting(sender: Any, instance: Any, **kwargs: Any) -> None:
    """The sounds a deleted account saved stop counting it."""
    sound_favorites_release(user_id=instance.pk)
