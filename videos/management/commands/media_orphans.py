"""Find and remove stored files that no row refers to: `manage.py media_orphans [--dry-run]
[--min-age-minutes 60]` (what they are: videos/services/media_orphans.py; the worker's daily
`videos.media_orphans_sweep` does the same).
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tiktok.storage import StorageUnavailable
from videos.services.media_orphans import media_orphans_delete, media_orphans_find


class Command(BaseCommand):
    help = "List (--dry-run) or delete stored media that no video or account refers to."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="list them, delete nothing")
        parser.add_argument(
            "--min-age-minutes",
            type=float,
            default=None,
            help="leave younger files alone (uploads in progress; default "
            "MEDIA_ORPHANS_MIN_AGE_SECONDS, an hour)",
        )

    def handle(self, *args, **options) -> None:  # noqa: ANN002, ANN003
        minutes = options["min_age_minutes"]
        if minutes is not None and minutes < 0:
            raise CommandError("--min-age-minutes must be 0 or more")
        try:
            orphans = media_orphans_find(min_age_seconds=None if minutes is None else minutes * 60)
            for name in orphans:
                self.stdout.write(name)
            if not options["dry_run"]:
                media_orphans_delete(orphans)
        except StorageUnavailable as exc:
            raise CommandError(str(exc)) from exc
        verb = "found" if options["dry_run"] else "deleted"
        self.stdout.write(f"{verb} {len(orphans)} orphaned file(s)")
