"""Show, requeue or drop the aggregate entries the flush set aside after repeated data errors."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from feed.dead_letter import (
    aggregates_dead_letter_drop,
    aggregates_dead_letter_requeue,
    aggregates_dead_letter_summaries,
)


class Command(BaseCommand):
    help = (
        "List the aggregate entries set aside after failing repeatedly; --requeue puts them back "
        "on the queue (after fixing the cause), --drop forgets them."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        action = parser.add_mutually_exclusive_group()
        action.add_argument("--requeue", action="store_true", help="put them back on the queue")
        action.add_argument("--drop", action="store_true", help="forget them")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["requeue"]:
            self.stdout.write(f"requeued {aggregates_dead_letter_requeue()} entries")
            return
        if options["drop"]:
            self.stdout.write(f"dropped {aggregates_dead_letter_drop()} entries")
            return
        entries = aggregates_dead_letter_summaries()
        self.stdout.write(f"{len(entries)} entries set aside")
        for entry in entries:
            self.stdout.write(json.dumps(entry, default=str))
