"""Shared pieces of the ingestion commands: the user, the pipeline mode, waiting, the table."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from datetime import datetime

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError, CommandParser

from videos.file_names import readable_file_name
from videos.models import Video, VideoStatus
from videos.pipeline.local import pipeline_run
from videos.services.ingest import IngestOutcome
from videos.tasks import pipeline_enqueue

WAIT_POLL_SECONDS = 2.0


def add_ingest_arguments(parser: CommandParser) -> None:
    parser.add_argument("--user", required=True, help="username that will own the videos")
    parser.add_argument("--privacy", default="public", choices=["public", "followers", "private"])
    parser.add_argument("--dry-run", action="store_true", help="report, change nothing")
    parser.add_argument("--limit", type=int, default=None, help="at most N new videos")
    parser.add_argument("--retry-failed", action="store_true", help="reprocess failed duplicates")
    parser.add_argument(
        "--wait", action="store_true", help="block until every video is ready or failed"
    )
    parser.add_argument(
        "--wait-timeout", type=float, default=3600.0, help="seconds --wait gives up after"
    )
    parser.add_argument(
        "--sync",
        action="store_true",
        help="run the pipeline in this process instead of enqueueing to Celery workers",
    )


def ingest_options_check(options: dict) -> None:
    """Refuse what the ingestion commands share that makes no sense: a negative --limit (it cut
    links off the end of the list and exited 0), a non-positive --wait-timeout."""
    if options["limit"] is not None and options["limit"] < 0:
        raise CommandError("--limit must be 0 or more")
    if options["wait_timeout"] <= 0:
        raise CommandError("--wait-timeout must be positive")


def owner_for(username: str):  # noqa: ANN201
    try:
        return get_user_model().objects.get(username=username)
    except get_user_model().DoesNotExist as exc:
        raise CommandError(f"no user named {username!r}") from exc


def enqueuer(sync: bool) -> tuple[Callable[[Video], None], list[int]]:
    """The function that starts a video's pipeline, and the ids it was called with. With `sync`
    the runs happen in this process when `start.run_pending()` is called (one video at a time:
    a run stopped half-way leaves only its own video to resume; see pipeline_interrupted)."""
    queued: list[int] = []
    seen: dict[int, datetime | None] = {}  # when its last run was asked for, as read
    done: set[int] = set()

    def start(video: Video) -> None:
        # Claimed: another process that found the same video failed or cut short at the same
        # moment (a second run over the folder, an upload of the file) starts no second run.
        queued.append(video.pk)
        seen[video.pk] = video.pipeline_requested_at
        if not sync:
            pipeline_enqueue(video=video, claim=True)

    def run_pending(progress=None) -> None:  # noqa: ANN001
        for video_id in queued if sync else ():
            if video_id not in done:
                done.add(video_id)
                pipeline_run(video_id=video_id, claim_from=seen[video_id])
                if progress is not None:
                    progress.update(1)

    start.run_pending = run_pending  # type: ignore[attr-defined]
    start.pending = lambda: len(set(queued) - done) if sync else 0  # type: ignore[attr-defined]
    return start, queued


def wait_for(video_ids: list[int], timeout_s: float, progress=None) -> None:  # noqa: ANN001
    """Poll until every video is ready or failed (or the timeout passes)."""
    deadline = time.monotonic() + timeout_s
    pending = set(video_ids)
    while pending and time.monotonic() < deadline:
        finished = set(
            Video.objects.filter(
                pk__in=pending, status__in=[VideoStatus.READY, VideoStatus.FAILED]
            ).values_list("pk", flat=True)
        )
        if progress is not None and finished:
            progress.update(len(finished))
        pending -= finished
        if pending:
            time.sleep(WAIT_POLL_SECONDS)


def final_outcomes(outcomes: list[IngestOutcome]) -> list[IngestOutcome]:
    """Replace `created`/`retried` by the pipeline's verdict (ready, failed, processing); a
    video found to be a copy of an earlier one (same look and length) says which."""
    ids = [o.video_id for o in outcomes if o.video_id]
    videos = {v.pk: v for v in Video.objects.filter(pk__in=ids)}
    result = []
    for outcome in outcomes:
        video = videos.get(outcome.video_id)
        if video is not None and outcome.outcome in ("created", "retried", "resumed"):
            detail = video.failure_reason or outcome.detail
            if video.duplicate_of_id:
                detail = f"looks like a copy of video {video.duplicate_of_id}"
            result.append(IngestOutcome(outcome.source, video.status, video.pk, detail))
        else:
            result.append(outcome)
    return result


# Characters that would break a row or reorder what the operator reads: controls (a newline in
# a file name printed a second, forged row), line and paragraph separators, bidi overrides.
_UNPRINTABLE = {
    *map(chr, range(0x20)),
    "\x7f",
    *map(chr, range(0x80, 0xA0)),
    "\u2028",
    "\u2029",
    *map(chr, range(0x202A, 0x202F)),
    *map(chr, range(0x2066, 0x206A)),
}


def table_cell(text: str) -> str:
    """A file name or detail as one cell of one line: not UTF-8 read as windows-1252, and each
    character that would break the line or reorder it written as its escape (`\\n`)."""
    return "".join(
        char.encode("unicode_escape").decode("ascii") if char in _UNPRINTABLE else char
        for char in readable_file_name(text)
    )


def outcomes_table(outcomes: list[IngestOutcome]) -> str:
    """One line per input; names and details are printable whatever the file system held."""
    sources = [table_cell(o.source) for o in outcomes]
    width = min(60, max([len(source) for source in sources] + [6]))
    lines = [f"{'source':<{width}}  {'outcome':<13}  {'video':>6}  detail"]
    for o, source in zip(outcomes, sources, strict=True):
        source = source if len(source) <= width else "..." + source[-(width - 3) :]
        video = str(o.video_id) if o.video_id else "-"
        detail = table_cell(o.detail)[:120]
        lines.append(f"{source:<{width}}  {o.outcome:<13}  {video:>6}  {detail}")
    return "\n".join(lines)


def summary_line(outcomes: list[IngestOutcome]) -> str:
    counts = Counter(o.outcome for o in outcomes)
    parts = ", ".join(f"{count} {name}" for name, count in sorted(counts.items()))
    return f"{len(outcomes)} input(s): {parts or 'nothing to do'}"


def is_success(outcome: IngestOutcome) -> bool:
    return outcome.outcome in (
        "created",
        "duplicate",
        "retried",
        "resumed",
        "would_create",
        "ready",
        "processing",
        "uploaded",
    )
