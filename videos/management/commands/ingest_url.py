"""Ingest the videos linked from a web page (or one direct video link):
`manage.py ingest_url URL --user NAME`."""

from __future__ import annotations

import logging
import shutil
import tempfile
import threading
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from videos.management.cli import (
    add_ingest_arguments,
    enqueuer,
    ingest_options_check,
    owner_for,
    table_cell,
)
from videos.management.commands.ingest_folder import finish
from videos.models import Video
from videos.services.download import (
    DownloadError,
    download_to_temp,
    http_client,
    page_video_links,
)
from videos.services.ingest import (
    DUPLICATE,
    ERROR,
    WOULD_CREATE,
    IngestOutcome,
    existing_outcome,
    video_ingest_file,
)
from videos.services.videos import source_url_stored

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = (
        "Fetch URL, collect links to .webm/.mp4/.mov files (anchors, <video>, <source>), "
        "download each (streaming, size cap, timeout and deadline, public addresses only) and "
        "ingest it with the post text or page title as caption. A direct video link works too. "
        "Re-runs skip what is already in."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("url")
        add_ingest_arguments(parser)
        parser.add_argument(
            "--timeout", type=float, default=30.0, help="seconds a request may wait for data"
        )
        parser.add_argument(
            "--deadline",
            type=float,
            default=600.0,
            help="seconds the page, and each download, may take in all",
        )
        parser.add_argument("--concurrency", type=int, default=1, help="parallel downloads")
        parser.add_argument(
            "--max-bytes", type=int, default=None, help="per-file cap (default MAX_UPLOAD_BYTES)"
        )
        parser.add_argument(
            "--max-links",
            type=int,
            default=100,
            help="links taken from one page at most (the rest are reported and skipped)",
        )
        parser.add_argument(
            "--allow-private-addresses",
            action="store_true",
            help="also fetch from loopback, private and link-local addresses (a page served on "
            "this machine or network); refused by default, on every redirect too",
        )

    def handle(self, *args, **options) -> None:  # noqa: ANN002, ANN003
        ingest_options_check(options)
        for name in ("timeout", "deadline", "concurrency", "max_links", "max_bytes"):
            if options[name] is not None and options[name] <= 0:
                raise CommandError(f"--{name.replace('_', '-')} must be positive")
        owner = owner_for(options["user"])
        max_bytes = options["max_bytes"] or settings.MAX_UPLOAD_BYTES
        start, queued = enqueuer(options["sync"])
        client = http_client(options["timeout"], allow_private=options["allow_private_addresses"])
        with client, tempfile.TemporaryDirectory(prefix="ingest-url-") as scratch:
            try:
                page = page_video_links(client, options["url"], deadline_s=options["deadline"])
            except DownloadError as exc:
                raise CommandError(str(exc)) from exc
            if not page.links:
                raise CommandError(f"no video links found on {options['url']}")
            self.stdout.write(
                f"{len(page.links)} video link(s) on {table_cell(page.title or page.url)}"
            )
            if len(page.links) > options["max_links"]:
                self.stdout.write(
                    f"taking the first {options['max_links']} (--max-links); "
                    f"{len(page.links) - options['max_links']} skipped"
                )
                page.links = page.links[: options["max_links"]]
            # The downloads in flight at once must fit on the scratch disk.
            needed = max_bytes * options["concurrency"]
            free = shutil.disk_usage(scratch).free
            if free < needed:
                raise CommandError(
                    f"{free // 2**20} MB free in {Path(scratch).parent}, {needed // 2**20} MB "
                    "needed for the downloads in flight (lower --concurrency or --max-bytes)"
                )
            self.scratch = Path(scratch)
            outcomes: list[IngestOutcome] = []
            # Looked up as stored: a link longer than the column is kept cut to it.
            known = {
                video.source_url: video
                for video in Video.objects.filter(
                    owner=owner,
                    source_url__in=[source_url_stored(link.url) for link in page.links],
                )
            }
            todo = []
            for link in page.links:
                if source_url_stored(link.url) in known:
                    outcome = existing_outcome(
                        known[source_url_stored(link.url)],
                        link.url,
                        options["retry_failed"],
                        options["dry_run"],
                        start,
                    )
                    if outcome.outcome == DUPLICATE:
                        outcome.detail = "already ingested from this URL"
                    outcomes.append(outcome)
                elif options["dry_run"]:
                    outcomes.append(IngestOutcome(link.url, WOULD_CREATE))
                else:
                    todo.append(link)
            if options["limit"] is not None:
                todo = todo[: options["limit"]]
            outcomes += self._download_and_ingest(client, todo, owner, max_bytes, start, options)
        finish(self, outcomes, queued, start, options)

    def _download_and_ingest(self, client, links, owner, max_bytes, start, options):  # noqa: ANN001, ANN202
        outcomes = []
        progress = tqdm(
            total=len(links), desc="download", unit="file", disable=None, file=self.stderr._out
        )
        waiting = iter(links)
        # Downloads run in threads, at most --concurrency at once, a new one started as each is
        # taken in (the disk holds only the downloads in flight); database writes and a --sync
        # run's pipelines stay on this thread (one connection). Each video is processed as it
        # is taken in, as ingest_folder does: run at the end, the first ones waited past the
        # sweep's grace and were sent to the workers instead, so --sync ran none of them.
        # Stopped (Ctrl-C), the run ends the downloads in flight at their next read instead of
        # waiting out their deadline, and starts no other.
        stop = threading.Event()
        pool = ThreadPoolExecutor(max_workers=max(1, options["concurrency"]))
        futures: dict = {}

        def download_next() -> None:
            link = next(waiting, None)
            if link is not None:
                future = pool.submit(
                    download_to_temp,
                    client,
                    link.url,
                    max_bytes=max_bytes,
                    deadline_s=options["deadline"],
                    directory=self.scratch,
                    cancel=stop,
                )
                futures[future] = link

        try:
            for _ in range(max(1, options["concurrency"])):
                download_next()
            while futures:
                done, _ = wait(futures, return_when=FIRST_COMPLETED)
                for future in done:
                    link = futures.pop(future)
                    progress.update(1)
                    outcome = self._ingest_download(future, link, owner, start, options)
                    outcomes.append(outcome)
                    start.run_pending()
                    download_next()
        except BaseException:
            stop.set()
            pool.shutdown(wait=False, cancel_futures=True)
            raise
        pool.shutdown()
        progress.close()
        order = {link.url: index for index, link in enumerate(links)}
        return sorted(outcomes, key=lambda o: order.get(o.source, 0))

    def _ingest_download(self, future, link, owner, start, options) -> IngestOutcome:  # noqa: ANN001
        """One finished download taken in: its video, or its error row."""
        try:
            path: Path = future.result()
        except DownloadError as exc:
            return IngestOutcome(link.url, ERROR, detail=str(exc))
        except Exception as exc:  # noqa: BLE001 - one link never ends the run
            logger.exception("downloading %s failed", link.url)
            return IngestOutcome(link.url, ERROR, detail=f"{type(exc).__name__}: {exc}")
        try:
            return video_ingest_file(
                owner=owner,
                path=path,
                caption=link.caption,
                source=link.url,
                source_url=link.url,
                original_filename=link.filename,
                privacy=options["privacy"],
                retry_failed=options["retry_failed"],
                enqueue=start,
            )
        finally:
            path.unlink(missing_ok=True)
