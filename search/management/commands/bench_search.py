"""make bench-search: seed a throwaway catalogue, time fused video search and autocomplete."""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.test import override_settings

from feed.evaluation.report import latency_table
from feed.evaluation.throwaway import throwaway_environment
from search.evaluation.bench import bench_catalogue, bench_measure, bench_queries, queries_embed
from tiktok.command_output import report_path_check
from tiktok.dev.processes import embedder_available

VIDEO_FUSED_P99_TARGET_MS = 50.0
SUGGEST_P99_TARGET_MS = 20.0


class Command(BaseCommand):
    help = (
        "Seed a throwaway database (100,000 videos, 50,000 accounts by default) and measure "
        "fused video search and autocomplete latency; query embedding is timed separately."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--videos", type=int, default=100_000)
        parser.add_argument("--users", type=int, default=50_000)
        parser.add_argument("--requests", type=int, default=500, help="per measurement")
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument("--out", type=Path, default=Path("var/bench/search.json"))

    def handle(self, *args, **options) -> None:  # noqa: ANN002, ANN003
        if options["videos"] < 100 or options["users"] < 100 or options["requests"] < 1:
            raise CommandError("need --videos >= 100, --users >= 100 and --requests >= 1")
        out = report_path_check(options["out"])
        logging.getLogger("httpx").setLevel(logging.WARNING)
        started = time.monotonic()
        queries = bench_queries()
        with (
            embedder_available(settings.EMBEDDER_URL, log=self.stdout.write) as embedder_url,
            override_settings(EMBEDDER_URL=embedder_url),
        ):
            vectors, version, embedding = queries_embed(queries)
        dim = len(vectors[0].vector or [])
        with (
            throwaway_environment(prefix="benchsearch") as environment,
            override_settings(ACTIVE_EMBEDDING_VERSION=version),
        ):
            self.stdout.write(f"throwaway database {environment.database_name}")
            usernames = bench_catalogue(
                n_videos=options["videos"],
                n_users=options["users"],
                version=version,
                dim=dim,
                seed=options["seed"],
                log=self.stdout.write,
            )
            seeded = time.monotonic()
            self.stdout.write(f"seeded in {seeded - started:.0f} s")
            rows = bench_measure(
                queries=queries, vectors=vectors, usernames=usernames, requests=options["requests"]
            )
        rows["query_embedding"] = embedding
        result = {
            **rows,
            # catalogue sizes apart: "users" is also the account search's measurement
            "catalogue": {"videos": options["videos"], "accounts": options["users"]},
            "queries": len(queries),
            "requests_per_measurement": options["requests"],
            "embedding_version": version,
            "seconds": round(time.monotonic() - started, 1),
        }
        out.write_text(json.dumps(result, indent=2) + "\n")
        self.stdout.write(
            f"{options['videos']} videos, {options['users']} accounts, "
            f"{options['requests']} requests each (in process, one connection)"
        )
        self.stdout.write(latency_table(rows))
        for name, target in (
            ("video_fused", VIDEO_FUSED_P99_TARGET_MS),
            ("suggest", SUGGEST_P99_TARGET_MS),
        ):
            verdict = "met" if rows[name]["p99_ms"] < target else "MISSED"
            self.stdout.write(f"{name} p99 {rows[name]['p99_ms']} ms, target < {target}: {verdict}")
        self.stdout.write(f"written to {out}")
