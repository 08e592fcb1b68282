"""Stored files that no row refers to, and their removal (`manage.py media_orphans` and the
daily `videos.media_orphans_sweep`).

An orphan is a file under `videos/<key>/` whose key belongs to no video (a crash between a
deletion's commit and the removal of its files, a failed upload, a deletion the store refused
for hours), under `sounds/<key>/` whose key belongs to no sound, or under `avatars/` that no
account uses. (Data archives under `exports/` are swept by `takeout.sweep`.) Files younger than
MEDIA_ORPHANS_MIN_AGE_SECONDS (an hour) are left alone: an upload in progress stores its
original before its row is committed.
"""

from __future__ import annotations

import time

from django.conf import settings

from profiles.models import User
from sounds.models import Sound
from tiktok.storage import storage_delete, storage_listing
from videos.models import Video


def _folder(name: str) -> str:
    return name.split("/")[1] if name.count("/") >= 2 else ""


def media_orphans_find(*, min_age_seconds: float | None = None) -> list[str]:
    """The orphaned files older than `min_age_seconds` (MEDIA_ORPHANS_MIN_AGE_SECONDS when
    None), sorted by name."""
    if min_age_seconds is None:
        min_age_seconds = settings.MEDIA_ORPHANS_MIN_AGE_SECONDS
    cutoff = time.time() - min_age_seconds
    # The store is listed before the rows are read: a file stored after its row was read would
    # look like an orphan, a row committed after the listing only keeps its files.
    listings = {area: storage_listing(area) for area in ("videos", "sounds", "avatars")}
    keys = set(Video.objects.values_list("media_key", flat=True))
    # A folder of an existing video's old layout is media_migrate's, not an orphan.
    keys |= {str(pk) for pk in Video.objects.values_list("pk", flat=True)}
    sounds = set(Sound.objects.values_list("media_key", flat=True))
    avatars = set(User.objects.exclude(avatar="").values_list("avatar", flat=True))
    found = []
    for area, owned in (("videos", keys), ("sounds", sounds)):
        for name, stored in listings[area].items():
            if _folder(name) not in owned and _old_enough(stored.last_modified, cutoff):
                found.append(name)
    for name, stored in listings["avatars"].items():
        if name not in avatars and _old_enough(stored.last_modified, cutoff):
            found.append(name)
    return sorted(found)


def _old_enough(last_modified: float | None, cutoff: float) -> bool:
    return last_modified is None or last_modified <= cutoff


def media_orphans_delete(names: list[str]) -> int:
    """Delete these files (from `media_orphans_find`); returns how many."""
    for name in names:
        storage_delete(name)
    return len(names)
