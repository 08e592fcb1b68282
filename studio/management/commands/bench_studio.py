"""How long the studio rollups and dashboard reads take: `manage.py bench_studio` (make
bench-studio).

Against the configured database: creates bench creators and videos, writes a day of generated
interaction events (signed-in and anonymous, every traffic source) on a day long past (so no
real row shares it), times the daily and hourly rollups of it (twice: the rerun replaces the
same rows), then fills 90 days of daily rollup rows and times the overview and a video's
drill-down as the API builds them. Deletes everything it made. Prints a table and writes
var/bench/studio.json.
"""

from __future__ import annotations

import datetime as dt
import json
import platform
import random
import statistics
import time
import uuid
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from feed.models import Interaction
from profiles.models import User
from studio.figures import DateRange
from studio.models import VideoDay
from studio.rollups import day_bounds, rollup_day, rollup_hour
from studio.selectors import studio_overview, studio_video
from tiktok.db.sql import table
from videos.models import Video

BENCH_PREFIX = "bench_studio_"
BENCH_DAY = dt.date(2001, 6, 15)
TYPES = ["impression", "play", "play", "pause", "skip", "finish", "like", "share", "save"]
SOURCES = ["for_you", "following", "profile", "search", "hashtag", "sound", "share_link", "direct"]
INSERT_CHUNK = 20_000
READ_REPEATS = 5


def _timed(action: Any) -> float:
    started = time.perf_counter()
    action()
    return (time.perf_counter() - started) * 1000


class Command(BaseCommand):
    help = "Time the studio rollups and dashboard reads on generated events."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--events", type=int, default=200_000, help="events in the day")
        parser.add_argument("--videos", type=int, default=200, help="videos (20 creators)")
        parser.add_argument("--viewers", type=int, default=2000, help="signed-in viewers")

    def handle(self, *args: object, **options: object) -> None:
        events, video_count = int(options["events"]), int(options["videos"])
        viewer_count = int(options["viewers"])
        if events < 1000 or video_count < 20 or viewer_count < 10:
            raise CommandError("--events >= 1000, --videos >= 20 and --viewers >= 10")
        self._cleanup()
        try:
            results = self._run(events, video_count, viewer_count)
        finally:
            self._cleanup()
        self._report(results)

    def _cleanup(self) -> None:
        users = User.objects.filter(username__startswith=BENCH_PREFIX)
        Interaction.objects.filter(video__owner__in=users).delete()
        Video.objects.filter(owner__in=users).delete()
        users.delete()

    def _run(self, events: int, video_count: int, viewer_count: int) -> dict[str, Any]:
        rng = random.Random(20)
        creators = User.objects.bulk_create(
            [User(username=f"{BENCH_PREFIX}creator{n}", password="!") for n in range(20)]
        )
        viewers = User.objects.bulk_create(
            [User(username=f"{BENCH_PREFIX}viewer{n}", password="!") for n in range(viewer_count)]
        )
        videos = Video.objects.bulk_create(
            [
                Video(
                    owner=creators[n % len(creators)],
                    caption=f"bench {n}",
                    status="ready",
                    content_hash=uuid.uuid4().hex,
                    duration_s=rng.choice([8.0, 15.0, 30.0, 60.0]),
                )
                for n in range(video_count)
            ]
        )
        start, _ = day_bounds(BENCH_DAY)
        self.stdout.write(f"writing {events} events over {BENCH_DAY} ...")
        insert_ms = 0.0
        for offset in range(0, events, INSERT_CHUNK):
            size = min(INSERT_CHUNK, events - offset)
            rows = []
            for _ in range(size):
                kind = rng.choice(TYPES)
                signed_in = rng.random() < 0.6
                rows.append(
                    (
                        str(uuid.uuid4()),
                        rng.choice(viewers).pk if signed_in else None,
                        "" if signed_in else f"anon-{rng.randrange(viewer_count * 2)}",
                        rng.choice(videos).pk,
                        kind,
                        rng.randrange(60_000) if kind in ("pause", "skip", "finish") else 0,
                        rng.choice(SOURCES),
                        start + dt.timedelta(seconds=rng.randrange(86_400)),
                    )
                )
            columns = [list(column) for column in zip(*rows, strict=True)]
            insert_ms += _timed(lambda columns=columns: self._insert(columns))
        rollup_ms = [_timed(lambda: rollup_day(day=BENCH_DAY)) for _ in range(2)]
        hour_ms = [
            _timed(lambda: rollup_hour(hour=start + dt.timedelta(hours=12))) for _ in range(2)
        ]
        day_rows = VideoDay.objects.filter(day=BENCH_DAY).count()

        # 90 days of rollup rows for every bench video, then the dashboard's reads.
        period = DateRange(first=BENCH_DAY - dt.timedelta(days=89), last=BENCH_DAY)
        template = {row.video_id: row for row in VideoDay.objects.filter(day=BENCH_DAY)}
        VideoDay.objects.bulk_create(
            [
                VideoDay(
                    video_id=row.video_id,
                    creator_id=row.creator_id,
                    day=day,
                    views=row.views,
                    unique_viewers=row.unique_viewers,
                    watch_ms=row.watch_ms,
                    watch_reports=row.watch_reports,
                    finishes=row.finishes,
                    likes=row.likes,
                    shares=row.shares,
                    saves=row.saves,
                    traffic_sources=row.traffic_sources,
                    retention=row.retention,
                )
                for row in template.values()
                for day in period.each_day()[:-1]
            ],
            batch_size=5000,
        )
        creator = creators[0]
        video = next(v for v in videos if v.owner_id == creator.pk)
        overview_ms = [
            _timed(lambda: studio_overview(creator=creator, period=period))
            for _ in range(READ_REPEATS)
        ]
        video_ms = [
            _timed(lambda: studio_video(viewer=creator, video_id=video.pk, period=period))
            for _ in range(READ_REPEATS)
        ]
        return {
            "events": events,
            "videos": video_count,
            "signed_in_viewers": viewer_count,
            "insert_events_ms": round(insert_ms),
            "rollup_day_ms": [round(ms) for ms in rollup_ms],
            "rollup_hour_ms": [round(ms) for ms in hour_ms],
            "video_day_rows": day_rows,
            "overview_90d_ms_median": round(statistics.median(overview_ms), 1),
            "video_90d_ms_median": round(statistics.median(video_ms), 1),
            "rollup_rows_read_by_overview": 90 * len(template) // len(creators),
        }

    def _insert(self, columns: list[list]) -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table(Interaction)} (event_id, user_id, session_id, video_id, "
                "type, watch_ms, traffic_source, created_at) SELECT * FROM unnest(%s::uuid[], "
                "%s::bigint[], %s::text[], %s::bigint[], %s::text[], %s::int[], %s::text[], "
                "%s::timestamptz[])",
                columns,
            )

    def _report(self, results: dict[str, Any]) -> None:
        lines = [
            f"{'measure':<44} {'value':>14}",
            f"{'events in the day':<44} {results['events']:>14}",
            f"{'videos / video-day rows written':<44} "
            f"{results['videos']:>6} / {results['video_day_rows']:>5}",
            f"{'daily rollup, first run (ms)':<44} {results['rollup_day_ms'][0]:>14}",
            f"{'daily rollup, rerun replacing rows (ms)':<44} {results['rollup_day_ms'][1]:>14}",
            f"{'hourly rollup of one hour (ms)':<44} {results['rollup_hour_ms'][1]:>14}",
            f"{'overview, 90 days, median (ms)':<44} {results['overview_90d_ms_median']:>14}",
            f"{'video drill-down, 90 days, median (ms)':<44} {results['video_90d_ms_median']:>14}",
        ]
        self.stdout.write("\n".join(lines))
        out = Path(settings.BASE_DIR) / "var" / "bench" / "studio.json"
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(
            json.dumps(
                {**results, "machine": platform.platform(), "python": platform.python_version()},
                indent=2,
            )
        )
        self.stdout.write(f"wrote {out}")
