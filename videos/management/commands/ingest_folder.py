"""Ingest every video file under a folder: `manage.py ingest_folder PATH --user NAME`."""

from __future__ import annotations

import math
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from videos.file_names import readable_file_name
from videos.management.cli import (
    add_ingest_arguments,
    enqueuer,
    final_outcomes,
    ingest_options_check,
    is_success,
    outcomes_table,
    owner_for,
    summary_line,
    wait_for,
)
from videos.services.ingest import (
    CREATED,
    LINK_LEADS_OUT,
    SKIPPED,
    WOULD_CREATE,
    IngestOutcome,
    caption_for_file,
    folder_walk,
    path_within,
    source_name,
    video_ingest_file,
)

# A file changed more recently than this may still be being copied or recorded.
DEFAULT_SETTLE_SECONDS = 10.0


class Command(BaseCommand):
    help = (
        "Walk PATH recursively and ingest video files (mp4 mov m4v webm mkv avi gif 3gp wmv "
        "ogv, and MPEG-TS .ts/.mts/.m2ts). Files already ingested (same bytes) are skipped, "
        "and ones whose processing was interrupted are resumed; captions come from a .txt/.json "
        "sidecar or the file name. Exit code 0 when every file succeeded."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument(
            "--settle",
            type=float,
            default=DEFAULT_SETTLE_SECONDS,
            help="leave files changed less than this many seconds ago for a later run "
            "(they may still be being copied or recorded)",
        )
        parser.add_argument(
            "--max-bytes",
            type=int,
            default=None,
            help="files larger than this are rejected (default MAX_UPLOAD_BYTES, an upload's cap)",
        )
        add_ingest_arguments(parser)

    def handle(self, *args, **options) -> None:  # noqa: ANN002, ANN003
        ingest_options_check(options)
        if not math.isfinite(options["settle"]) or options["settle"] < 0:
            raise CommandError("--settle must be 0 or more seconds")
        if options["max_bytes"] is not None and options["max_bytes"] <= 0:
            raise CommandError("--max-bytes must be positive")
        max_bytes = options["max_bytes"] or settings.MAX_UPLOAD_BYTES
        root: Path = options["path"]
        if not root.exists():
            raise CommandError(f"{readable_file_name(str(root))} does not exist")
        owner = owner_for(options["user"])
        walk = folder_walk(root, settle_s=options["settle"])
        start, queued = enqueuer(options["sync"])
        outcomes = list(walk.skipped)
        planned: dict[str, str] = {}
        new = 0
        progress = tqdm(walk.files, desc="ingest", unit="file", disable=None, file=self.stderr._out)
        for path in progress:
            if options["limit"] is not None and new >= options["limit"]:
                break
            source = source_name(root, path)
            progress.set_postfix_str(source[-30:])
            # Again as it is read: a long run reaches a file long after the walk saw it, and a
            # file replaced by a link leading out in between is not taken.
            if not path_within(walk.within, path):
                outcomes.append(IngestOutcome(source, SKIPPED, detail=LINK_LEADS_OUT))
                continue
            outcome = video_ingest_file(
                owner=owner,
                path=path,
                caption=caption_for_file(path, within=walk.within),
                source=source,
                original_filename=readable_file_name(path.name),
                privacy=options["privacy"],
                retry_failed=options["retry_failed"],
                dry_run=options["dry_run"],
                enqueue=start,
                planned=planned,
                max_bytes=max_bytes,
            )
            new += outcome.outcome in (CREATED, WOULD_CREATE)
            outcomes.append(outcome)
            # Each video is processed before the next is read: stopped half-way, a --sync run
            # leaves one video to resume, not the whole folder.
            start.run_pending()
        progress.close()
        finish(self, outcomes, queued, start, options)


def finish(command: BaseCommand, outcomes, queued, start, options) -> None:  # noqa: ANN001
    """Run/wait for the pipeline as asked, print the table and the summary, set the exit code."""
    if options["sync"] and start.pending():
        with tqdm(
            total=start.pending(),
            desc="pipeline",
            unit="video",
            disable=None,
            file=command.stderr._out,
        ) as progress:
            start.run_pending(progress)
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
