"""make bench-trending: time of the trending refresh's main query (`feed.trending._decayed_counts`,
every signed-in viewer once per video and kind, decayed by their latest event) on a window of
generated events.

Seeds a throwaway database with public videos, users and `--events` interactions spread over
the trending window in the order they happened (ids follow time, as stored events' do):
plays, finishes, likes and unlikes, shares and the other kinds, videos drawn with a
popularity skew. Runs the query `--runs` times and prints a table; writes
var/bench/trending.json.
"""

from __future__ import annotations

import json
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from feed.evaluation import catalogue
from feed.evaluation.bulk import copy_rows
from feed.evaluation.report import percentiles_ms
from feed.evaluation.throwaway import throwaway_environment
from feed.models import Interaction
from feed.trending import _decayed_counts
from tiktok.command_output import report_path_check
from tiktok.db.sql import table

# The kinds of a stored event stream, roughly as the web client and the endpoints send them.
KINDS = ("impression", "play", "finish", "skip", "pause", "like", "unlike", "share")
KIND_SHARES = (0.3, 0.25, 0.15, 0.12, 0.1, 0.05, 0.01, 0.02)


class Command(BaseCommand):
    help = (
        "Time the trending refresh's query over a window of generated events in a throwaway "
        "database; writes var/bench/trending.json."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--events", type=int, default=400_000)
        parser.add_argument("--users", type=int, default=3_000)
        parser.add_argument("--videos", type=int, default=2_000)
        parser.add_argument("--runs", type=int, default=5)
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument(
            "--out", type=Path, default=Path(settings.VAR_DIR) / "bench" / "trending.json"
        )

    def handle(self, *args, **options) -> None:  # noqa: ANN002, ANN003
        for name in ("events", "users", "videos", "runs"):
            if options[name] < 1:
                raise CommandError(f"--{name} must be at least 1")
        out = report_path_check(options["out"])
        rng = np.random.default_rng(options["seed"])
        with throwaway_environment(prefix="bench"):
            self.stdout.write(
                f"seeding {options['videos']} videos, {options['users']} users, "
                f"{options['events']} events"
            )
            seeded = _seed(
                events=options["events"], users=options["users"], videos=options["videos"], rng=rng
            )
            samples, rows = [], 0
            for _ in range(options["runs"]):
                started = time.perf_counter()
                rows = len(_decayed_counts())
                samples.append(time.perf_counter() - started)
        result = {"events": seeded, "videos_with_events": rows, "query": percentiles_ms(samples)}
        header = f"{'events':>10}{'videos':>8}{'runs':>6}{'p50 ms':>10}{'max ms':>10}"
        self.stdout.write("")
        self.stdout.write(header)
        self.stdout.write("-" * len(header))
        self.stdout.write(
            f"{seeded:>10}{rows:>8}{len(samples):>6}"
            f"{result['query']['p50_ms']:>10.1f}{max(samples) * 1000:>10.1f}"
        )
        sizes = {name: options[name] for name in ("events", "users", "videos", "runs", "seed")}
        out.write_text(json.dumps({"options": sizes, **result}, indent=2))
        self.stdout.write(f"written to {out}")


def _seed(*, events: int, users: int, videos: int, rng: np.random.Generator) -> int:
    now = datetime.now(UTC)
    creators = catalogue.users_create(["bench-creator"])
    video_ids = catalogue.videos_create(
        owner_ids=[creators["bench-creator"]] * videos,
        captions=[f"clip {i}" for i in range(videos)],
        content_keys=[f"bench-trending-{i}" for i in range(videos)],
        published_at=[now - timedelta(hours=72)] * videos,
        link_hashtags=False,
    )
    names = [f"bench-viewer-{i}" for i in range(users)]
    viewers = catalogue.users_create(names)
    user_ids = np.array([viewers[name] for name in names])
    popularity = rng.lognormal(0.0, 1.2, size=videos)
    chosen_videos = rng.choice(np.array(video_ids), size=events, p=popularity / popularity.sum())
    chosen_users = user_ids[rng.integers(users, size=events)]
    kinds = rng.choice(len(KINDS), size=events, p=KIND_SHARES)
    window = settings.FEED_TRENDING_WINDOW_HOURS * 3600 * 0.98
    ages = np.sort(rng.uniform(0, window, size=events))[::-1]  # oldest first: ids follow time
    copy_rows(
        Interaction,
        (
            {
                "event_id": uuid.uuid4(),
                "user_id": int(chosen_users[i]),
                "session_id": "bench",
                "video_id": int(chosen_videos[i]),
                "type": KINDS[int(kinds[i])],
                "watch_ms": 1000,
                "created_at": now - timedelta(seconds=float(ages[i])),
            }
            for i in range(events)
        ),
    )
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {table(Interaction)}")
    return events
