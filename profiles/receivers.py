"""Files follow rows: a deleted account's avatar goes once the deletion is committed (a cascade
or an admin bulk delete runs no service of ours). Connected in ProfilesConfig.ready()."""

from __future__ import annotations

import logging
from typing import Any

from profiles.models import User
from tiktok.storage import storage_delete_later

logger = logging.getLogger(__name__)


def on_user_deleted(sender: Any, instance: User, **kwargs: Any) -> None:
    if instance.avatar:
        storage_delete_later(names=[instance.avatar.name])
