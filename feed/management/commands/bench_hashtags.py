"""make bench-hashtags: seed a throwaway catalogue (100,000 videos, 50,000 hashtags by default)
by SQL, then measure GET /api/hashtags/<name>, /api/hashtags/<name>/videos (popular, new) and
hashtag search (/api/search?type=hashtags: one letter, a prefix, a whole name, a typo, no match)
in process through Django's URL routing, middleware, DRF and JSON rendering.

It lives beside bench_feed because the benchmarks' throwaway database and bulk loading live in
feed.evaluation (the hashtag endpoints themselves are the videos app's).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import time
from pathlib import Path
from urllib.parse import quote

import numpy as np
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.test import Client
from django.utils import timezone
from rest_framework.authtoken.models import Token

from feed.evaluation import catalogue
from feed.evaluation.bulk import copy_rows
from feed.evaluation.report import latency_table, percentiles_ms
from feed.evaluation.throwaway import throwaway_environment
from profiles.models import Follow
from tiktok.command_output import report_path_check
from tiktok.db.sql import table
from videos.hashtags import hashtag_name_normalize
from videos.models import Hashtag, Privacy, Video, VideoHashtag

HASHTAG_P99_TARGET_MS = 50.0
VIDEOS_PER_CREATOR = 50
HASHTAGS_PER_VIDEO_MAX = 5
ZIPF_EXPONENT = 1.1  # a few hashtags on thousands of videos, most on a handful
PRIVATE_SHARE = 0.05
FOLLOWERS_SHARE = 0.05
VIEWERS = 200
# Unicode names among the seeded ones, so the measured URLs are percent-encoded too.
UNICODE_STEMS = ("café", "東京", "жизнь", "straße", "हिन्दी", "ramen_らーめん")


def _hashtag_names(n: int) -> list[str]:
    """n distinct stored names, one in ten Unicode (spread over the popularity ranks)."""
    names = [
        hashtag_name_normalize(
            f"{UNICODE_STEMS[i % len(UNICODE_STEMS)]}{i}" if i % 10 == 3 else f"tag{i}"
        )
        for i in range(n)
    ]
    return [name for name in names if name]


def _seed(*, n_videos: int, n_hashtags: int, seed: int, log) -> dict:  # noqa: ANN001
    rng = np.random.default_rng(seed)
    n_creators = max(1, n_videos // VIDEOS_PER_CREATOR)
    creators = catalogue.users_create([f"creator{i}" for i in range(n_creators)])
    viewers = catalogue.users_create([f"viewer{i}" for i in range(VIEWERS)])
    creator_ids = np.asarray(list(creators.values()))
    owners = creator_ids[rng.integers(len(creator_ids), size=n_videos)]
    now = timezone.now()
    ages = rng.exponential(30 * 86400, size=n_videos)
    published = [now - dt.timedelta(seconds=float(age)) for age in ages]
    video_ids = catalogue.videos_create(
        owner_ids=owners.tolist(),
        captions=[f"bench video {i}" for i in range(n_videos)],
        content_keys=[f"hashtag-bench-{i}" for i in range(n_videos)],
        published_at=published,
        view_counts=rng.integers(0, 100_000, size=n_videos).tolist(),
        like_counts=rng.integers(0, 10_000, size=n_videos).tolist(),
    )
    log(f"{n_videos} videos by {n_creators} creators")
    privacy = rng.random(n_videos)
    with connection.cursor() as cursor:
        ids = np.asarray(video_ids)
        for value, chosen in (
            (Privacy.PRIVATE, ids[privacy < PRIVATE_SHARE]),
            (
                Privacy.FOLLOWERS,
                ids[(privacy >= PRIVATE_SHARE) & (privacy < PRIVATE_SHARE + FOLLOWERS_SHARE)],
            ),
        ):
            cursor.execute(
                f"UPDATE {table(Video)} SET privacy = %s WHERE id = ANY(%s)",
                [value, chosen.tolist()],
            )
    names = _hashtag_names(n_hashtags)
    n_hashtags = len(names)
    copy_rows(Hashtag, ({"name": name, "video_count": 0} for name in names))
    hashtag_ids = dict(Hashtag.objects.values_list("name", "id"))
    ranked = np.asarray([hashtag_ids[name] for name in names])
    weights = 1.0 / np.arange(1, n_hashtags + 1) ** ZIPF_EXPONENT
    weights /= weights.sum()
    per_video = rng.integers(1, HASHTAGS_PER_VIDEO_MAX + 1, size=n_videos)
    draws = rng.choice(n_hashtags, size=int(per_video.sum()), p=weights)
    # Every hashtag is used at least once: the tail gets one video each, spread at random.
    covered = min(n_hashtags, len(draws))
    draws[rng.permutation(len(draws))[:covered]] = np.arange(covered)
    rows = set()
    position = 0
    for video_id, count in zip(video_ids, per_video, strict=True):
        for index in draws[position : position + count]:
            rows.add((video_id, int(ranked[index])))
        position += count
    created = {video_id: moment for video_id, moment in zip(video_ids, published, strict=True)}
    with connection.cursor() as cursor:
        # The counters are set once after the bulk load instead of by the row triggers.
        cursor.execute(f"ALTER TABLE {table(VideoHashtag)} DISABLE TRIGGER USER")
        copy_rows(
            VideoHashtag,
            ({"video_id": v, "hashtag_id": h, "created_at": created[v]} for v, h in rows),
        )
        cursor.execute(f"ALTER TABLE {table(VideoHashtag)} ENABLE TRIGGER USER")
        cursor.execute(
            f"UPDATE {table(Hashtag)} h SET video_count = c.n, last_used_at = c.last "
            f"FROM (SELECT hashtag_id, count(*) AS n, max(created_at) AS last "
            f"FROM {table(VideoHashtag)} GROUP BY hashtag_id) c WHERE c.hashtag_id = h.id"
        )
    log(f"{n_hashtags} hashtags on {len(rows)} video-hashtag rows")
    viewer_ids = list(viewers.values())
    follows = {
        (viewer, int(creator))
        for viewer in viewer_ids
        for creator in rng.choice(creator_ids, size=min(20, len(creator_ids)), replace=False)
    }
    copy_rows(Follow, ({"follower_id": a, "followee_id": b} for a, b in follows))
    tokens = {}
    for viewer in viewer_ids:
        tokens[viewer] = Token.objects.create(user_id=viewer).key
    catalogue.vacuum_analyze()
    return {"names": names, "tokens": list(tokens.values())}


def _client_address(i: int) -> str:
    """A distinct client address per request, so no rate limit counts the bench as one client."""
    return f"10.{i // 65536 % 256}.{i // 256 % 256}.{i % 256}"


def _measure(*, names: list[str], tokens: list[str], requests: int, seed: int) -> dict:
    """Latencies of each endpoint for anonymous and signed-in viewers, over hashtags drawn half
    from the 100 largest (the slow ones: thousands of videos to sort) and half at random."""
    rng = np.random.default_rng(seed + 1)
    client = Client(HTTP_HOST="localhost")
    head = names[:100]
    picks = [
        head[rng.integers(len(head))] if i % 2 == 0 else names[rng.integers(len(names))]
        for i in range(requests)
    ]
    paths = {
        "header": "/api/hashtags/{}",
        "videos_popular": "/api/hashtags/{}/videos?sort=popular&limit=24",
        "videos_new": "/api/hashtags/{}/videos?sort=new&limit=24",
    }
    results: dict[str, dict] = {}
    for signed_in in (False, True):
        for label, template in paths.items():
            samples = []
            found = 0
            for i, name in enumerate(picks):
                headers = {"REMOTE_ADDR": _client_address(i)}
                if signed_in:
                    headers["HTTP_AUTHORIZATION"] = f"Token {tokens[i % len(tokens)]}"
                started = time.perf_counter()
                response = client.get(template.format(quote(name, safe="")), **headers)
                elapsed = time.perf_counter() - started
                if response.status_code not in (200, 404):
                    raise CommandError(f"{template.format(name)}: HTTP {response.status_code}")
                samples.append(elapsed)
                found += response.status_code == 200
            key = f"{label}_{'user' if signed_in else 'anon'}"
            results[key] = percentiles_ms(samples[len(samples) // 10 :])  # first 10%: warm-up
            # The rest answered 404: hashtags on private videos only, for this viewer.
            results[key]["found_share"] = round(found / len(picks), 3)
    return results


# Hashtag search's query kinds, each drawn from a random seeded name (most are `tag<n>`, so a
# short prefix is shared by tens of thousands of names: the case a page must not rank in full).
SEARCH_KINDS = ("letter", "prefix", "name", "typo", "none")


def _search_query(kind: str, name: str, rng: np.random.Generator) -> str:
    if kind == "letter":
        return name[0]
    if kind == "prefix":
        return name[: int(rng.integers(2, max(3, len(name))))]
    if kind == "name":
        return name
    if kind == "typo":
        # One character of the name's second half dropped: a slip of the thumb.
        at = int(rng.integers(len(name) // 2, len(name)))
        return name[:at] + name[at + 1 :]
    return "qj" + "".join(rng.choice(list("vwxz"), size=4))  # no seeded name has q or j


def _measure_search(*, names: list[str], requests: int, seed: int) -> dict:
    """First-page latency of /api/search?type=hashtags per query kind, anonymous (hashtag search
    does not depend on the viewer), with the share of requests that found any hashtag and, for
    whole names, the share whose first result is the name itself."""
    rng = np.random.default_rng(seed + 2)
    client = Client(HTTP_HOST="localhost")
    results: dict[str, dict] = {}
    for kind in SEARCH_KINDS:
        samples, found, first_exact = [], 0, 0
        for i in range(requests):
            q = _search_query(kind, names[rng.integers(len(names))], rng)
            headers = {"REMOTE_ADDR": _client_address(i)}
            started = time.perf_counter()
            response = client.get("/api/search", {"type": "hashtags", "q": q}, **headers)
            elapsed = time.perf_counter() - started
            if response.status_code != 200:
                raise CommandError(f"hashtag search for {q!r}: HTTP {response.status_code}")
            samples.append(elapsed)
            items = response.json()["hashtags"]["items"]
            found += bool(items)
            first_exact += bool(items) and items[0]["name"] == q
        key = f"search_{kind}"
        results[key] = percentiles_ms(samples[len(samples) // 10 :])  # first 10%: warm-up
        results[key]["found_share"] = round(found / requests, 3)
        results[key]["first_is_query_share"] = round(first_exact / requests, 3)
    return results


class Command(BaseCommand):
    help = (
        "Seed a throwaway database (100,000 videos, 50,000 hashtags by default) and measure the "
        "hashtag header and video list endpoints and hashtag search; writes "
        "var/bench/hashtags.json."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--videos", type=int, default=100_000)
        parser.add_argument("--hashtags", type=int, default=50_000)
        parser.add_argument("--requests", type=int, default=400, help="per measurement")
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument(
            "--out", type=Path, default=Path(settings.VAR_DIR) / "bench" / "hashtags.json"
        )

    def handle(self, *args, **options) -> None:  # noqa: ANN002, ANN003
        n_videos, n_hashtags = options["videos"], options["hashtags"]
        if n_videos < 100 or n_hashtags < 10 or options["requests"] < 20:
            raise CommandError("need --videos >= 100, --hashtags >= 10 and --requests >= 20")
        if n_hashtags > n_videos * HASHTAGS_PER_VIDEO_MAX // 2:
            raise CommandError("too many hashtags for the videos (at most videos * 2.5)")
        out = report_path_check(options["out"])
        # A hashtag on private videos only answers 404 by design: not worth a log line each.
        logging.getLogger("django.request").setLevel(logging.ERROR)
        started = time.monotonic()
        with throwaway_environment(prefix="bench") as environment:
            self.stdout.write(f"throwaway database {environment.database_name}")
            seeded = _seed(
                n_videos=n_videos,
                n_hashtags=n_hashtags,
                seed=options["seed"],
                log=self.stdout.write,
            )
            seed_seconds = time.monotonic() - started
            self.stdout.write(f"seeded in {seed_seconds:.0f} s")
            results = _measure(
                names=seeded["names"],
                tokens=seeded["tokens"],
                requests=options["requests"],
                seed=options["seed"],
            )
            results.update(
                _measure_search(
                    names=seeded["names"], requests=options["requests"], seed=options["seed"]
                )
            )
            largest = list(
                Hashtag.objects.order_by("-video_count").values_list("name", "video_count")[:1]
            )
        self.stdout.write("")
        self.stdout.write(
            f"{n_videos} videos, {n_hashtags} hashtags (largest: #{largest[0][0]} on "
            f"{largest[0][1]} videos), {options['requests']} requests each (first 10% warm-up)"
        )
        self.stdout.write(latency_table(results))
        missed = [
            f"{name} p99 {figures['p99_ms']} ms >= {HASHTAG_P99_TARGET_MS}"
            for name, figures in results.items()
            if figures["p99_ms"] >= HASHTAG_P99_TARGET_MS
        ]
        for line in missed:
            self.stdout.write(f"target missed: {line}")
        out.write_text(
            json.dumps(
                {
                    "videos": n_videos,
                    "hashtags": n_hashtags,
                    "requests": options["requests"],
                    "seed_seconds": round(seed_seconds, 1),
                    "target_p99_ms": HASHTAG_P99_TARGET_MS,
                    "largest_hashtag_videos": largest[0][1],
                    "results": results,
                    "targets_met": not missed,
                },
                indent=2,
            )
        )
        self.stdout.write(f"written to {out}")
