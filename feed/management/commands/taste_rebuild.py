"""`manage.py taste_rebuild [--embedding-version V]`: every viewer's long-term taste
recomputed in an embedding version from the interaction log (done by itself when a re-embed
makes another version the served one; this runs it by hand, e.g. after restoring a database)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from feed.models import Interaction
from feed.taste_rebuild import taste_profiles_rebuild
from videos.models import VideoEmbedding
from videos.versions import active_embedding_version


class Command(BaseCommand):
    help = "Rebuild the long-term tastes in an embedding version (default: the served one)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--embedding-version", default=None, help="an embedding version stored here"
        )

    def handle(self, *args, **options) -> None:  # noqa: ANN002, ANN003
        version = options["embedding_version"] or active_embedding_version()
        if not version:
            raise CommandError("no embedding version is known yet (no video is embedded)")
        if not VideoEmbedding.objects.filter(embedding_version=version).exists():
            raise CommandError(f"no video has a vector in version {version!r}")
        viewers = (
            Interaction.objects.filter(user_id__isnull=False).values("user_id").distinct().count()
        )
        with tqdm(
            total=viewers, desc="tastes", unit="viewer", disable=None, file=self.stderr._out
        ) as bar:
            kept = taste_profiles_rebuild(version=version, progress=bar.update)
        self.stdout.write(f"rebuilt the long-term tastes of {kept} viewer(s) in {version}")
