"""Rebuild the studio rollups from the interaction log: every day from --since (to --until,
default today, UTC) and the hourly window."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from studio.rollups import studio_rebuild


def _date(raw: str, name: str) -> dt.date:
    try:
        return dt.date.fromisoformat(raw)
    except ValueError as exc:
        raise CommandError(f"--{name} must be a date as YYYY-MM-DD, not {raw!r}") from exc


class Command(BaseCommand):
    help = "Recompute the creator analytics rollups from the interaction log (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--since", required=True, help="first day to rebuild, YYYY-MM-DD")
        parser.add_argument("--until", help="last day to rebuild, YYYY-MM-DD (default: today)")

    def handle(self, *args: Any, **options: Any) -> None:
        since = _date(options["since"], "since")
        until = _date(options["until"], "until") if options.get("until") else None
        if until is not None and until < since:
            raise CommandError("--until must not be before --since")
        result = studio_rebuild(since=since, until=until)
        self.stdout.write(
            f"rebuilt {result['days']} days ({result['day_rows']} video-day rows) and the "
            f"hourly window ({result['hour_rows']} video-hour rows)"
        )
