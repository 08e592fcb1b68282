"""Write a synthetic ITEMS.csv + INTERACTIONS.csv with real structure for evaluate_feed."""

from __future__ import annotations

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from feed.evaluation.synthetic import generate_dataset


class Command(BaseCommand):
    help = (
        "Generate a synthetic evaluation dataset: items over broad tag categories with skewed "
        "popularity, users with mixed tastes, sessions and shared community favourites."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--out", required=True, help="folder for items.csv, interactions.csv")
        parser.add_argument("--items", type=int, default=20_000)
        parser.add_argument("--users", type=int, default=50_000)
        parser.add_argument("--interactions", type=int, default=400_000)
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument(
            "--item-lifetime-days",
            type=float,
            default=0.0,
            help="items are released over the log's 60 days and their engagement decays as "
            "exp(-age / lifetime), as short videos' does (0, the default: no aging)",
        )

    def handle(self, *args, **options) -> None:  # noqa: ANN002, ANN003
        if options["item_lifetime_days"] < 0:
            raise CommandError("--item-lifetime-days must be >= 0")
        started = time.monotonic()
        items_path, interactions_path = generate_dataset(
            Path(options["out"]),
            n_items=options["items"],
            n_users=options["users"],
            n_interactions=options["interactions"],
            seed=options["seed"],
            lifetime_days=options["item_lifetime_days"],
        )
        self.stdout.write(
            f"wrote {items_path} and {interactions_path} in {time.monotonic() - started:.1f} s"
        )
