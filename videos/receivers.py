"""Files follow rows: when a video row is deleted - by `video_delete`, by its owner's account
being deleted (CASCADE) or by an admin bulk action - its files go once that is committed, and
its original sound with the last video using it.

Counters follow rows too: when an account is deleted, the counts its likes, saves, comments,
comment likes and received shares were part of come down before its rows go
(`account_engagement_release`). These are the model signals the app relies on, because a
cascade deletion runs no service of ours; they are connected in VideosConfig.ready().
`manage.py media_orphans` finds whatever a crash between the commit and the deletion leaves
behind, and its daily sweep what a store outage of hours does.
"""

from __future__ import annotations

import logging
from typing import Any

from sounds.services import sound_original_release
from tiktok.storage import storage_delete_later
from videos.models import Video
from videos.services.account_release import account_engagement_release
from videos.services.storage import video_prefix

logger = logging.getLogger(__name__)


def on_video_deleted(sender: Any, instance: Video, **kwargs: Any) -> None:
    storage_delete_later(prefixes=[video_prefix(instance)])
    if instance.sound_id is not None:
        # Its original sound goes with the last video using it (in this transaction).
        sound_original_release(sound_id=instance.sound_id)


def on_account_deleting(sender: Any, instance: Any, **kwargs: Any) -> None:
    account_engagement_release(user_id=instance.pk)
