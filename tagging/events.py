"""Events the tagging app sends so that apps above it (search) can react without tagging
importing them. Sent after the change is committed; a failing receiver is logged and never
undoes the change.

- `video_tags_changed`, kwarg `video_ids`: which tags these videos show (or the name a tag of
  theirs is shown by) changed outside the pipeline: "Re-tag all videos", a tag renamed,
  deactivated, activated or deleted in the admin. (A video the pipeline tags is announced when
  it is published, by the videos app.)
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.dispatch import Signal

from tagging.models import VideoTag
from tiktok.signals import signal_send_robust

video_tags_changed = Signal()


def video_tags_changed_announce(*, video_ids: Iterable[int]) -> None:
    ids = sorted(set(video_ids))
    if ids:
        transaction.on_commit(
            lambda: signal_send_robust(video_tags_changed, "video_tags_changed", video_ids=ids)
        )


def tag_videos_changed_announce(*, tag_ids: Iterable[int]) -> None:
    """Announce every video carrying one of these tags (call before a deletion takes the rows)."""
    video_tags_changed_announce(
        video_ids=VideoTag.objects.filter(tag_id__in=list(tag_ids)).values_list(
            "video_id", flat=True
        )
    )
