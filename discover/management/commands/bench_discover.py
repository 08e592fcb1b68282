"""make bench-discover: seed a throwaway catalogue (100,000 videos, 20,000 sounds, 50,000
hashtags by default), refresh the Discover lists once, and time the Discover page, its API and
a see-all page through Django's full request stack (in process: no web server). Run it with
OPENBLAS_NUM_THREADS=1 as `make bench-discover` does: the web server (tiktok/asgi.py) runs with
one BLAS thread, and multi-threaded BLAS spins under a loaded CPU."""

from __future__ import annotations

import json
import logging
import os
import platform
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.test import Client, override_settings

from discover.models import Challenge, ChallengeEntry
from discover.refresh import discover_lists_refresh
from feed.evaluation import catalogue
from feed.evaluation.bench_seed import bench_version, clustered_vectors
from feed.evaluation.bulk import copy_rows
from feed.evaluation.report import latency_table, percentiles_ms
from feed.evaluation.throwaway import throwaway_environment
from feed.models import Interaction, TasteProfile
from feed.trending import trending_refresh
from profiles.models import User
from sounds.models import Sound
from tiktok.command_output import report_path_check
from tiktok.db.sql import table
from videos.models import Hashtag, Video, VideoHashtag

P99_TARGET_MS = 50.0
VIDEOS_PER_CREATOR = 20
HASHTAGS_PER_VIDEO = 2
SOUND_SHARE = 0.6  # videos that use a library sound
CHALLENGES = 20
VIEWERS = 50
RECENT_PLAYS = 20_000


class Command(BaseCommand):
    help = (
        "Seed a throwaway database, refresh the Discover lists, and measure GET /api/discover, "
        "/discover, /discover/videos and /api/discover/creators (p50/p95/p99); writes "
        "var/bench/discover.json."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--videos", type=int, default=100_000)
        parser.add_argument("--sounds", type=int, default=20_000)
        parser.add_argument("--hashtags", type=int, default=50_000)
        parser.add_argument("--requests", type=int, default=300, help="per measurement")
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument(
            "--out", type=Path, default=Path(settings.VAR_DIR) / "bench" / "discover.json"
        )

    def handle(self, *args: object, **options: object) -> None:
        n_videos, n_sounds, n_tags = (
            int(options["videos"]),
            int(options["sounds"]),
            int(options["hashtags"]),
        )
        requests = int(options["requests"])
        if n_videos < 100 or n_sounds < 1 or n_tags < 10 or requests < 1:
            raise CommandError("need --videos >= 100, --sounds >= 1, --hashtags >= 10")
        out = report_path_check(options["out"])
        logging.getLogger("django.request").setLevel(logging.ERROR)
        version, _ = bench_version()
        with (
            throwaway_environment(prefix="benchdisc") as environment,
            override_settings(
                ACTIVE_EMBEDDING_VERSION=version, DEBUG=False, ALLOWED_HOSTS=["testserver"]
            ),
        ):
            self.stdout.write(f"throwaway database {environment.database_name}")
            started = time.monotonic()
            viewer_ids = self._seed(n_videos, n_sounds, n_tags, int(options["seed"]), version)
            seeded = time.monotonic()
            self.stdout.write(f"seeded in {seeded - started:.0f} s")
            trending_refresh()
            refresh_started = time.monotonic()
            sizes = discover_lists_refresh()
            refresh_s = time.monotonic() - refresh_started
            self.stdout.write(f"lists refreshed in {refresh_s:.2f} s: {sizes}")
            rows = self._measure(requests, viewer_ids)
        table_text = latency_table(rows)
        self.stdout.write(table_text)
        load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
        self.stdout.write(f"load average {load} on {os.cpu_count()} CPUs")
        worst = max(figures["p99_ms"] for figures in rows.values())
        verdict = "meets" if worst < P99_TARGET_MS else "MISSES"
        self.stdout.write(f"worst p99 {worst:.1f} ms: {verdict} the {P99_TARGET_MS:.0f} ms target")
        out.write_text(
            json.dumps(
                {
                    "catalogue": {"videos": n_videos, "sounds": n_sounds, "hashtags": n_tags},
                    "requests": requests,
                    "refresh_seconds": round(refresh_s, 2),
                    "list_sizes": sizes,
                    "latency": rows,
                    "p99_target_ms": P99_TARGET_MS,
                    "machine": platform.platform(),
                    "cpus": os.cpu_count(),
                    "load_average_1m_5m_15m": [round(x, 2) for x in os.getloadavg()],
                    "measured_at": datetime.now(UTC).isoformat(),
                },
                indent=2,
            )
        )
        self.stdout.write(f"wrote {out}")

    def _seed(
        self, n_videos: int, n_sounds: int, n_tags: int, seed: int, version: str
    ) -> list[int]:
        rng = np.random.default_rng(seed)
        _, dim = bench_version()
        n_creators = max(1, n_videos // VIDEOS_PER_CREATOR)
        creators = catalogue.users_create([f"creator-{i}" for i in range(n_creators)])
        creator_ids = list(creators.values())
        viewers = catalogue.users_create([f"viewer-{i}" for i in range(VIEWERS)])
        viewer_ids = list(viewers.values())
        now = datetime.now(UTC)
        self.stdout.write(f"{n_sounds} sounds, {n_tags} hashtags, {n_videos} videos ({dim}-d)")
        copy_rows(
            Sound,
            (
                {
                    "title": f"sound {i}",
                    "creator_id": creator_ids[i % len(creator_ids)],
                    "use_count": int(u),
                    "play_count": int(u) * 20,
                }
                for i, u in enumerate(rng.zipf(1.6, size=n_sounds).clip(max=100_000))
            ),
        )
        copy_rows(
            Hashtag,
            ({"name": f"tag{i}", "video_count": 0, "last_used_at": now} for i in range(n_tags)),
        )
        ages = rng.exponential(24 * 10, size=n_videos)
        views = rng.lognormal(5.0, 1.5, size=n_videos).astype(np.int64)
        tag_picks = (rng.zipf(1.3, size=(n_videos, HASHTAGS_PER_VIDEO)) - 1) % n_tags
        video_ids = catalogue.videos_create(
            owner_ids=[creator_ids[int(i)] for i in rng.integers(n_creators, size=n_videos)],
            captions=[
                "clip " + " ".join(f"#tag{t}" for t in tag_picks[i]) for i in range(n_videos)
            ],
            content_keys=[f"discover-{i}" for i in range(n_videos)],
            published_at=[now - timedelta(hours=float(h)) for h in ages],
            view_counts=views.tolist(),
            like_counts=rng.binomial(views, 0.05).tolist(),
            share_counts=rng.binomial(views, 0.005).tolist(),
            # linked below in bulk, as of each video's publication (what "rising" measures)
            link_hashtags=False,
        )
        vectors, _ = clustered_vectors(n_videos, dim, max(4, n_videos // 500), rng)
        catalogue.embeddings_create(video_ids=video_ids, vectors=vectors, embedding_version=version)
        # a sound for SOUND_SHARE of the videos, skewed towards the first sounds (drawn from
        # the seeded generator: the same catalogue on every run)
        sound_ids = list(Sound.objects.order_by("id").values_list("id", flat=True))
        with_sound = rng.random(n_videos) < SOUND_SHARE
        picks = np.floor(rng.random(n_videos) ** 3 * n_sounds).astype(np.int64)
        with connection.cursor() as cursor:
            # The seeded use counts stand: the count triggers, run per row in this one
            # transaction, would add to them and leave the top sounds' rows thousands of
            # versions deep, which no real site (many transactions, vacuumed) has.
            cursor.execute(f"ALTER TABLE {table(Video)} DISABLE TRIGGER USER")
            cursor.execute(
                f"UPDATE {table(Video)} v SET sound_id = p.sound_id "
                f"FROM unnest(%s::bigint[], %s::bigint[]) AS p(video_id, sound_id) "
                f"WHERE v.id = p.video_id",
                [
                    [video_ids[i] for i in np.flatnonzero(with_sound)],
                    [sound_ids[int(picks[i])] for i in np.flatnonzero(with_sound)],
                ],
            )
            # The rows' foreign keys are checked now: a table with checks pending cannot be
            # altered.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"ALTER TABLE {table(Video)} ENABLE TRIGGER USER")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            cursor.execute(
                f"SELECT id, name FROM {table(Hashtag)}",
            )
            tag_ids = {name: tag_id for tag_id, name in cursor.fetchall()}
        published = {
            video_id: now - timedelta(hours=float(h))
            for video_id, h in zip(video_ids, ages, strict=True)
        }
        with connection.cursor() as cursor:
            # The counters are set once after the bulk load instead of by the row triggers.
            cursor.execute(f"ALTER TABLE {table(VideoHashtag)} DISABLE TRIGGER USER")
        copy_rows(
            VideoHashtag,
            (
                {
                    "video_id": video_id,
                    "hashtag_id": tag_ids[f"tag{t}"],
                    "created_at": published[video_id],
                }
                for video_id, picks in zip(video_ids, tag_picks, strict=True)
                for t in dict.fromkeys(int(p) for p in picks)
            ),
        )
        with connection.cursor() as cursor:
            cursor.execute(f"ALTER TABLE {table(VideoHashtag)} ENABLE TRIGGER USER")
            cursor.execute(
                f"UPDATE {table(Hashtag)} h SET video_count = c.n FROM (SELECT hashtag_id, "
                f"COUNT(*) AS n FROM {table(VideoHashtag)} GROUP BY hashtag_id) c "
                "WHERE c.hashtag_id = h.id"
            )
        for index in range(CHALLENGES):
            challenge = Challenge.objects.create(
                hashtag_id=tag_ids[f"tag{index}"],
                title=f"challenge {index}",
                starts_at=now - timedelta(days=5),
                ends_at=now + timedelta(days=5),
            )
            with connection.cursor() as cursor:
                cursor.execute(
                    f"INSERT INTO {table(ChallengeEntry)} (challenge_id, video_id, likes, shares, "
                    "completions, score, joined_at) SELECT %s, vh.video_id, 0, 0, 0, "
                    "(random() * 100)::int, now() FROM "
                    f"{table(VideoHashtag)} vh JOIN {table(Video)} v ON v.id = vh.video_id "
                    "WHERE vh.hashtag_id = %s AND v.published_at >= %s",
                    [challenge.pk, challenge.hashtag_id, challenge.starts_at],
                )
                Challenge.objects.filter(pk=challenge.pk).update(
                    entry_count=challenge.entries.count()
                )
        recent = rng.integers(len(video_ids), size=RECENT_PLAYS)
        copy_rows(
            Interaction,
            (
                {
                    "event_id": str(uuid.uuid4()),
                    "user_id": viewer_ids[i % len(viewer_ids)],
                    "session_id": "bench",
                    "video_id": video_ids[int(v)],
                    "type": "play",
                    "watch_ms": 10_000,
                    "created_at": now - timedelta(hours=float(rng.uniform(0, 24 * 8))),
                }
                for i, v in enumerate(recent)
            ),
        )
        copy_rows(
            TasteProfile,
            (
                {
                    "user_id": user_id,
                    "embedding_version": version,
                    "vector": vectors[int(rng.integers(len(vectors)))],
                    "weighted_sum": vectors[0],
                    "weight_total": 1.0,
                    "positive_count": 1,
                }
                for user_id in viewer_ids
            ),
        )
        catalogue.vacuum_analyze()
        return viewer_ids

    def _round_trips(self, requests: int) -> dict[str, float]:
        """`SELECT 1` timed the same way: what one database round trip costs on this machine
        right now (a signed-in request makes five)."""
        samples = []
        with connection.cursor() as cursor:
            for _ in range(requests):
                begin = time.perf_counter()
                cursor.execute("SELECT 1")
                cursor.fetchone()
                samples.append(time.perf_counter() - begin)
        return percentiles_ms(samples)

    def _measure(self, requests: int, viewer_ids: list[int]) -> dict[str, dict[str, float]]:
        anonymous = Client()
        signed_in = Client()
        signed_in.force_login(User.objects.get(pk=viewer_ids[0]))
        targets = {
            "api anonymous": (anonymous, "/api/discover"),
            "api signed in": (signed_in, "/api/discover"),
            "page /discover": (signed_in, "/discover"),
            "see-all videos": (signed_in, "/discover/videos?page=2"),
            "api creators": (signed_in, "/api/discover/creators?limit=20"),
        }
        rows = {"db round trip": self._round_trips(requests)}
        for name, (client, url) in targets.items():
            for _ in range(10):  # warm-up: process caches, connections
                client.get(url)
            samples = []
            for _ in range(requests):
                begin = time.perf_counter()
                response = client.get(url)
                samples.append(time.perf_counter() - begin)
                if response.status_code != 200:
                    raise CommandError(f"{url} answered {response.status_code}")
            rows[name] = percentiles_ms(samples)
            self.stdout.write(f"  {name}: p99 {rows[name]['p99_ms']:.1f} ms")
        return rows
