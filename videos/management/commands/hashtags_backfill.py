"""Parse the hashtags of every stored caption: `manage.py hashtags_backfill` (once after the
hashtags migration; safe to run again)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandParser
from tqdm import tqdm

from videos.models import Hashtag, Video
from videos.services.hashtags import hashtags_backfill


class Command(BaseCommand):
    help = "Sync every video's hashtags with its caption (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args, **options) -> None:  # noqa: ANN002, ANN003
        with tqdm(total=Video.objects.count(), unit="video", disable=options["no_progress"]) as bar:
            done = hashtags_backfill(progress=bar.update)
        self.stdout.write(f"synced {done} videos; {Hashtag.objects.count()} hashtags")
