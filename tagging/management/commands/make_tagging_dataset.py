"""Generate the small labeled tagging set (espeak-ng speech in tiny videos) into a folder."""

from __future__ import annotations

from functools import partial
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tagging.dataset import HELD_OUT_CLIPS, LABELED_CLIPS, tagging_dataset_make
from tagging.photo_set import LABELED_PHOTOS, photo_dataset_make


class Command(BaseCommand):
    help = "Write the labeled tagging clips and labels.csv into OUT_DIR (for evaluate_tagging)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("out_dir", help="folder to write the clips and labels.csv into")
        parser.add_argument(
            "--held-out",
            action="store_true",
            help="the held-out speech clips (never used to choose the thresholds)",
        )
        parser.add_argument(
            "--photos",
            action="store_true",
            help="silent clips of real photographs (tagging/photo_set.py) instead of speech clips",
        )

    def handle(self, *args, **options) -> None:  # noqa: ANN002, ANN003
        if options["photos"]:
            make, count = photo_dataset_make, len(LABELED_PHOTOS)
        elif options["held_out"]:
            make, count = partial(tagging_dataset_make, clips=HELD_OUT_CLIPS), len(HELD_OUT_CLIPS)
        else:
            make, count = tagging_dataset_make, len(LABELED_CLIPS)
        try:
            labels = make(Path(options["out_dir"]))
        except (OSError, RuntimeError) as exc:
            raise CommandError(f"could not make the dataset: {exc}") from exc
        self.stdout.write(self.style.SUCCESS(f"wrote {count} clips and {labels}"))
