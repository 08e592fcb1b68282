"""Find and remove stored files that no row refers to: `manage.py media_orphans [--dry-run]
[--min-age-minutes 60]`.

An orphan is a file under `videos/<key>/` whose key belongs to no video (a crash between a
deletion's commit and the removal of its files, a failed upload), under `sounds/<key>/` whose
key belongs to no sound, or under `avatars/` that no account uses. (Data archives under
`exports/` are swept by `takeout.sweep`.) Files younger than --min-age-minutes are left
alone: an upload in progress stores its original before its row is committed.
"""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError, CommandParser

from profiles.models import User
from sounds.models import Sound
from tiktok.storage import StorageUnavailable, storage_delete, storage_listing
from videos.models import Video

DEFAULT_MIN_AGE_MINUTES = 60


class Command(BaseCommand):
    help = "List (--dry-run) or delete stored media that no video or account refers to."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="list them, delete nothing")
        parser.add_argument(
            "--min-age-minutes",
            type=float,
            default=DEFAULT_MIN_AGE_MINUTES,
            help="leave younger files alone (uploads in progress)",
        )

    def handle(self, *args, **options) -> None:  # noqa: ANN002, ANN003
        if options["min_age_minutes"] < 0:
            raise CommandError("--min-age-minutes must be 0 or more")
        cutoff = time.time() - options["min_age_minutes"] * 60
        try:
            orphans = self._orphans(cutoff)
            for name in orphans:
                self.stdout.write(name)
                if not options["dry_run"]:
                    storage_delete(name)
        except StorageUnavailable as exc:
            raise CommandError(str(exc)) from exc
        verb = "found" if options["dry_run"] else "deleted"
        self.stdout.write(f"{verb} {len(orphans)} orphaned file(s)")

    def _orphans(self, cutoff: float) -> list[str]:
        keys = set(Video.objects.values_list("media_key", flat=True))
        pks = {str(pk) for pk in Video.objects.values_list("pk", flat=True)}
        avatars = set(User.objects.exclude(avatar="").values_list("avatar", flat=True))
        found = []
        for name, stored in sorted(storage_listing("videos").items()):
            folder = name.split("/")[1] if name.count("/") >= 2 else ""
            # A folder of an existing video's old layout is media_migrate's, not an orphan.
            if folder in keys or folder in pks:
                continue
            if stored.last_modified is None or stored.last_modified <= cutoff:
                found.append(name)
        sounds = set(Sound.objects.values_list("media_key", flat=True))
        for name, stored in sorted(storage_listing("sounds").items()):
            folder = name.split("/")[1] if name.count("/") >= 2 else ""
            if folder in sounds:
                continue
            if stored.last_modified is None or stored.last_modified <= cutoff:
                found.append(name)
        for name, stored in sorted(storage_listing("avatars").items()):
            if name in avatars:
                continue
            if stored.last_modified is None or stored.last_modified <= cutoff:
                found.append(name)
        return found
