"""Files follow rows: a deleted account's avatar goes once the deletion is committed (a cascade
or an admin bulk delete runs no service of ours). Connected in ProfilesConfig.ready()."""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction

from profiles.models import User

logger = logging.getLogger(__name__)


def on_user_deleted(sender: Any, instance: User, **kwargs: Any) -> None:
    if not instance.avatar:
        return
    storage, name = instance.avatar.storage, instance.avatar.name

    def delete_avatar() -> None:
        try:
            storage.delete(name)
        except Exception:  # noqa: BLE001 - the orphan sweep removes what is left
            logger.warning("could not delete avatar %s", name, exc_info=True)

    transaction.on_commit(delete_avatar)
