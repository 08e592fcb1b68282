"""make bench-links: how long `ingest_url`'s link parser (`videos.html_links`) takes on hostile
and ordinary pages of up to the 5 MB a page may be.

Pages, each built in memory: unclosed `<div>`s (every element stays open), stray closing tags,
a tag or comments left open to the end of the page, tags of 1,000 attributes each,
elements nested in posts as deep as the page allows, an imageboard thread of 20,000 posts each
with a video link and a caption, and a JSON-LD block of 7,000 VideoObjects (the
largest the parser reads). For each: its size,
the links found, the parse's wall time (best of `--repeat`) and its peak of traced allocations
(tracemalloc, in a separate run). Prints a table and writes var/bench/links.json.
"""

from __future__ import annotations

import json
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from tiktok.command_output import report_path_check
from videos.html_links import extract_video_links
from videos.services.download import MAX_PAGE_BYTES

BASE_URL = "https://example.org/thread/1"


def _unclosed(n: int) -> str:
    return "<article><p>caption</p>" + "<div>x" * n + "<a href='/end.mp4'>end</a>"


# A page's one video link, before what each hostile page piles up after it.
_LINK = "<p>caption <a href='/a.mp4'>a</a></p>"


def _stray_closes(n: int) -> str:
    return _LINK + "</div></video></article>" * n


def _nested_posts(n: int) -> str:
    post = "<div class='post'><blockquote class='postMessage'>deep caption</blockquote>"
    return post * n + "<a href='/deep.mp4'>v</a>" + "</div>" * n


def _thread(n: int) -> str:
    posts = "".join(
        f"<div class='post' id='p{i}'><a href='/media/{i}.webm'>file</a>"
        f"<blockquote class='postMessage'>&gt;&gt;{i} post number {i} with some words</blockquote>"
        "</div>"
        for i in range(n)
    )
    return f"<html><head><title>thread</title></head><body>{posts}</body></html>"


def _json_ld(n: int) -> str:
    objects = [
        {
            "@type": "VideoObject",
            "name": f"video {i}",
            "description": "a description",
            "contentUrl": f"https://cdn.example.org/v/{i}",
        }
        for i in range(n)
    ]
    block = json.dumps({"@context": "https://schema.org", "@graph": objects})
    return f"<script type='application/ld+json'>{block}</script>"


def _unterminated_tags(n: int) -> str:
    return _LINK + "<a " * n


def _unterminated_comments(n: int) -> str:
    return _LINK + "<!--" * n


def _long_tags(n: int) -> str:
    return _LINK + ("<a " * 1_000 + ">") * n


# name -> (builder, size argument); each page stays under the 5 MB page limit.
PAGES: dict[str, tuple[Callable[[int], str], int]] = {
    "unclosed <div>s": (_unclosed, 800_000),
    "stray closing tags": (_stray_closes, 200_000),
    "an unterminated tag to the end": (_unterminated_tags, 1_600_000),
    "unterminated comments to the end": (_unterminated_comments, 1_200_000),
    "tags of 1,000 attributes": (_long_tags, 1_500),
    "nested posts": (_nested_posts, 40_000),
    "thread, a link per post": (_thread, 20_000),
    # About 130 bytes per object: the largest block the parser reads (MAX_JSON_LD_CHARS, 1 M).
    "JSON-LD VideoObjects": (_json_ld, 7_000),
}


def _measure(html: str, repeat: int) -> dict:
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        _, links = extract_video_links(html, BASE_URL)
        best = min(best, time.perf_counter() - started)
    tracemalloc.start()
    extract_video_links(html, BASE_URL)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {
        "bytes": len(html.encode()),
        "links": len(links),
        "parse_s": round(best, 3),
        "peak_mb": round(peak / 2**20, 1),
    }


class Command(BaseCommand):
    help = (
        "Time and memory of ingest_url's link parser on hostile and ordinary pages of up to "
        "5 MB; writes var/bench/links.json."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--repeat", type=int, default=3, help="timed parses per page")
        parser.add_argument(
            "--scale", type=float, default=1.0, help="multiply every page's element count"
        )
        parser.add_argument(
            "--out", type=Path, default=Path(settings.VAR_DIR) / "bench" / "links.json"
        )

    def handle(self, *args, **options) -> None:  # noqa: ANN002, ANN003
        if options["repeat"] < 1 or not 0 < options["scale"] <= 1:
            raise CommandError("need --repeat >= 1 and --scale in (0, 1] (pages stay under 5 MB)")
        out = report_path_check(options["out"])
        results = {}
        for name, (build, size) in PAGES.items():
            html = build(max(1, int(size * options["scale"])))
            results[name] = _measure(html, options["repeat"])
        header = f"{'page':<34}{'MB':>7}{'links':>8}{'parse s':>10}{'peak MB':>10}"
        self.stdout.write(header)
        self.stdout.write("-" * len(header))
        for name, r in results.items():
            self.stdout.write(
                f"{name:<34}{r['bytes'] / 2**20:>7.2f}{r['links']:>8}{r['parse_s']:>10.3f}"
                f"{r['peak_mb']:>10.1f}"
            )
        oversized = [name for name, r in results.items() if r["bytes"] > MAX_PAGE_BYTES]
        if oversized:
            raise CommandError(f"pages over the 5 MB page limit: {', '.join(oversized)}")
        out.write_text(json.dumps({"repeat": options["repeat"], "pages": results}, indent=2))
        self.stdout.write(f"written to {out}")
