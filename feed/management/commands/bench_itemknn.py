"""make bench-itemknn: time and memory of evaluate_feed's item-kNN baseline
(`feed.evaluation.baselines.ItemKnn`) on generated histories.

No database: histories are drawn at random (item popularity log-normal, as in
make_feed_dataset) in three shapes - the issue's short-video shape (50,000 users with short
histories over 19,000 items), a film-rating shape (1,000 users with 200 items each over 5,000)
and that shape at 5,000 users. For each: the build's wall time, its peak of traced allocations
(tracemalloc, in a second build: numpy and scipy allocate through it), the distinct item pairs
kept, and the time to score one user. Prints a table and writes var/bench/itemknn.json.
"""

from __future__ import annotations

import json
import time
import tracemalloc
from pathlib import Path

import numpy as np
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from feed.evaluation.baselines import ItemKnn
from feed.evaluation.report import percentiles_ms
from tiktok.command_output import report_path_check

# (name, users, mean history length, items); a history length of 0 means "log-normal, mean 7".
SHAPES = (
    ("short-video", 50_000, 0, 19_000),
    ("ratings-1k", 1_000, 200, 5_000),
    ("ratings-5k", 5_000, 200, 5_000),
)
SCORED_USERS = 500


def _histories(
    *, users: int, length: int, items: int, rng: np.random.Generator
) -> dict[int, list[int]]:
    popularity = rng.lognormal(0.0, 1.2, size=items)
    popularity /= popularity.sum()
    if length:
        lengths = np.full(users, length)
    else:
        lengths = np.clip(np.round(rng.lognormal(1.6, 0.7, size=users)), 2, 200).astype(int)
    draws = rng.choice(items, size=int(lengths.sum()), p=popularity)
    bounds = np.concatenate([[0], np.cumsum(lengths)])
    return {user: draws[bounds[user] : bounds[user + 1]].tolist() for user in range(users)}


def _measure(histories: dict[int, list[int]], *, items: int) -> dict:
    started = time.perf_counter()
    knn = ItemKnn(histories, n_items=items)
    build_s = time.perf_counter() - started
    del knn
    tracemalloc.start()
    knn = ItemKnn(histories, n_items=items)
    kept, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    samples = []
    for user in list(histories)[:SCORED_USERS]:
        started = time.perf_counter()
        knn.scores(histories[user])
        samples.append(time.perf_counter() - started)
    return {
        "build_s": round(build_s, 2),
        "peak_mb": round(peak / 2**20, 1),
        "kept_mb": round(kept / 2**20, 1),
        "pairs": int(knn.cols.size),
        "score_user_ms": percentiles_ms(samples),
    }


class Command(BaseCommand):
    help = (
        "Time and memory of evaluate_feed's item-kNN baseline on generated histories in three "
        "shapes; writes var/bench/itemknn.json."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument(
            "--scale", type=float, default=1.0, help="multiply every shape's user count"
        )
        parser.add_argument(
            "--out", type=Path, default=Path(settings.VAR_DIR) / "bench" / "itemknn.json"
        )

    def handle(self, *args, **options) -> None:  # noqa: ANN002, ANN003
        if not 0 < options["scale"] <= 10:
            raise CommandError("--scale must be in (0, 10]")
        out = report_path_check(options["out"])
        rng = np.random.default_rng(options["seed"])
        results = {}
        for name, users, length, items in SHAPES:
            users = max(2, int(users * options["scale"]))
            histories = _histories(users=users, length=length, items=items, rng=rng)
            rows = sum(len(h) for h in histories.values())
            results[name] = {"users": users, "items": items, "rows": rows}
            results[name] |= _measure(histories, items=items)
            self.stdout.write(f"{name}: measured")
        header = (
            f"{'shape':<13}{'users':>8}{'items':>8}{'rows':>10}{'pairs':>12}"
            f"{'build s':>9}{'peak MB':>9}{'kept MB':>9}{'score p50 ms':>14}"
        )
        self.stdout.write("")
        self.stdout.write(header)
        self.stdout.write("-" * len(header))
        for name, r in results.items():
            self.stdout.write(
                f"{name:<13}{r['users']:>8}{r['items']:>8}{r['rows']:>10}{r['pairs']:>12}"
                f"{r['build_s']:>9.2f}{r['peak_mb']:>9.1f}{r['kept_mb']:>9.1f}"
                f"{r['score_user_ms']['p50_ms']:>14.2f}"
            )
        out.write_text(json.dumps({"seed": options["seed"], "shapes": results}, indent=2))
        self.stdout.write(f"written to {out}")
