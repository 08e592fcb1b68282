"""Load a tag taxonomy (YAML or JSON) or the shipped default one, all or nothing."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tagging.models import Tag
from tagging.services.taxonomy import taxonomy_load
from tagging.taxonomy import TaxonomyError, taxonomy_read
from videos.file_names import readable_file_name

DEFAULT_TAXONOMY_PATH = Path(__file__).resolve().parents[2] / "fixtures" / "default_taxonomy.yaml"


class Command(BaseCommand):
    help = (
        "Load tags from a taxonomy file (YAML or JSON): create or update categories, tags and "
        "their phrases in one transaction. Tag vectors are computed later by a Celery task."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", nargs="?", help="taxonomy file (.yaml, .yml or .json)")
        parser.add_argument(
            "--default", action="store_true", help="load the shipped default taxonomy"
        )
        parser.add_argument(
            "--if-empty", action="store_true", help="do nothing when any tag already exists"
        )
        parser.add_argument(
            "--deactivate-missing",
            action="store_true",
            help="deactivate existing tags that the file does not list",
        )

    def handle(self, *args, **options) -> None:  # noqa: ANN002, ANN003
        if bool(options["path"]) == bool(options["default"]):
            raise CommandError("give either a taxonomy PATH or --default")
        path = DEFAULT_TAXONOMY_PATH if options["default"] else Path(options["path"])
        if options["if_empty"] and Tag.objects.exists():
            self.stdout.write("tags already exist; nothing loaded (--if-empty)")
            return
        shown = readable_file_name(str(path))
        try:
            taxonomy = taxonomy_read(path)
        except TaxonomyError as exc:
            raise CommandError(readable_file_name(str(exc))) from exc
        except OSError as exc:  # unreadable (permissions, an I/O error), or a folder
            raise CommandError(f"{shown}: cannot read it: {exc.strerror or exc}") from exc
        try:
            result = taxonomy_load(
                taxonomy=taxonomy, deactivate_missing=options["deactivate_missing"]
            )
        except TaxonomyError as exc:  # against the stored taxonomy (nothing was written)
            raise CommandError(f"{shown}: {readable_file_name(str(exc))}") from exc
        name = readable_file_name(path.name)
        self.stdout.write(
            self.style.SUCCESS(
                f"loaded {name}: {result.categories} categories, {result.tags_created} tags "
                f"created, {result.tags_updated} updated, {result.tags_deactivated} deactivated, "
                f"{result.phrases} phrases"
            )
        )
