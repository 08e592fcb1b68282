"""Generate the small labeled tagging set (espeak-ng speech in tiny videos) into a folder."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tagging.dataset import LABELED_CLIPS, tagging_dataset_make


class Command(BaseCommand):
    help = "Write the labeled tagging clips and labels.csv into OUT_DIR (for evaluate_tagging)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("out_dir", help="folder to write the clips and labels.csv into")

    def handle(self, *args, **options) -> None:  # noqa: ANN002, ANN003
        try:
            labels = tagging_dataset_make(Path(options["out_dir"]))
        except (OSError, RuntimeError) as exc:
            raise CommandError(f"could not make the dataset: {exc}") from exc
        self.stdout.write(self.style.SUCCESS(f"wrote {len(LABELED_CLIPS)} clips and {labels}"))
