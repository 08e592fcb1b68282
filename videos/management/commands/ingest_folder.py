"""Ingest every video file under a folder: `manage.py ingest_folder PATH --user NAME`."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from videos.management.cli import (
    add_ingest_arguments,
    enqueuer,
    final_outcomes,
    is_success,
    outcomes_table,
    owner_for,
    summary_line,
    wait_for,
)
from videos.services.ingest import (
    CREATED,
    WOULD_CREATE,
    caption_for_file,
    video_files,
    video_ingest_file,
)


class Command(BaseCommand):
    help = (
        "Walk PATH recursively and ingest video files (mp4 mov webm mkv m4v avi gif). Files "
        "already ingested (same bytes) are skipped; captions come from a .txt/.json sidecar "
        "or the file name. Exit code 0 when every file succeeded."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)
        add_ingest_arguments(parser)

    def handle(self, *args, **options) -> None:  # noqa: ANN002, ANN003
        root: Path = options["path"]
        if not root.exists():
            raise CommandError(f"{root} does not exist")
        owner = owner_for(options["user"])
        files = video_files(root)
        start, queued = enqueuer(options["sync"])
        outcomes = []
        new = 0
        progress = tqdm(files, desc="ingest", unit="file", disable=None, file=self.stderr._out)
        for path in progress:
            if options["limit"] is not None and new >= options["limit"]:
                break
            progress.set_postfix_str(path.name[:30])
            outcome = video_ingest_file(
                owner=owner,
                path=path,
                caption=caption_for_file(path),
                source=str(path.relative_to(root)) if path != root else path.name,
                privacy=options["privacy"],
                retry_failed=options["retry_failed"],
                dry_run=options["dry_run"],
                enqueue=start,
            )
            new += outcome.outcome in (CREATED, WOULD_CREATE)
            outcomes.append(outcome)
        progress.close()
        finish(self, outcomes, queued, start, options)


def finish(command: BaseCommand, outcomes, queued, start, options) -> None:  # noqa: ANN001
    """Run/wait for the pipeline as asked, print the table and the summary, set the exit code."""
    if options["sync"] and queued:
        for video_id in tqdm(
            queued, desc="pipeline", unit="video", disable=None, file=command.stderr._out
        ):
            start.run(video_id)
    elif options["wait"] and queued:
        with tqdm(
            total=len(queued), desc="waiting", unit="video", disable=None, file=command.stderr._out
        ) as progress:
            wait_for(queued, options["wait_timeout"], progress)
    waited = options["sync"] or options["wait"]
    if waited:
        outcomes = final_outcomes(outcomes)
    command.stdout.write(outcomes_table(outcomes) if outcomes else "no video files found")
    summary = summary_line(outcomes)
    failed = [o for o in outcomes if not is_success(o) or (waited and o.outcome == "processing")]
    if failed or not outcomes:
        raise CommandError(f"{summary}; {len(failed)} not ok")
    command.stdout.write(summary)
