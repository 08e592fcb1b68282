"""Offline quality of the For You feed against random, popularity, content-only, item-kNN and
hybrid baselines."""

from __future__ import annotations

import json
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from feed.evaluation.datasets import DatasetError, load_dataset
from feed.evaluation.report import methods_table, relative_gain
from feed.evaluation.runner import EvaluationInputError, EvaluationOptions, evaluate
from tiktok.command_output import (
    embedder_failures_reported,
    loggers_quiet,
    report_path_check,
)


def _ks(value: str) -> list[int]:
    try:
        ks = sorted({int(part) for part in value.split(",") if part.strip()})
    except ValueError:
        raise CommandError(f"--k: {value!r} is not a comma-separated list of integers") from None
    if not ks or ks[0] < 1:
        raise CommandError("--k: give at least one K >= 1")
    return ks


class Command(BaseCommand):
    help = (
        "Leave-last-out evaluation of the feed on ITEMS.csv (item_id,title,tags) and "
        "INTERACTIONS.csv (user_id,item_id,timestamp[,watch_ratio]) in a throwaway database."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--items", required=True, type=Path)
        parser.add_argument("--interactions", required=True, type=Path)
        parser.add_argument("--k", default="10,20", help="cut-offs, e.g. 10,20")
        parser.add_argument("--eval-users", type=int, default=2000)
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument("--out", type=Path, default=None, help="write report.json here")
        parser.add_argument(
            "--simulate",
            type=int,
            default=0,
            metavar="N",
            help="also run N synthetic users with interest switches through the live feed",
        )
        parser.add_argument(
            "--viewer",
            choices=("category", "soft"),
            default="category",
            help="simulated viewer: category (one category at a time: finishes it, skips the "
            "rest; measured on the shown stream) or soft (taste mixture, page by page)",
        )
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args, **options) -> None:  # noqa: ANN002, ANN003
        with loggers_quiet(), embedder_failures_reported():
            self._run(options)

    def _run(self, options: dict) -> None:
        from django.conf import settings

        started = time.monotonic()
        ks = _ks(options["k"])
        if ks[-1] > settings.FEED_PAGE_SIZE_MAX:
            raise CommandError(
                f"--k: max(K)={ks[-1]} exceeds one feed page (FEED_PAGE_SIZE_MAX="
                f"{settings.FEED_PAGE_SIZE_MAX})"
            )
        if options["eval_users"] < 1 or options["simulate"] < 0:
            raise CommandError("--eval-users must be >= 1 and --simulate >= 0")
        out = report_path_check(options["out"]) if options["out"] is not None else None
        try:
            dataset = load_dataset(options["items"], options["interactions"])
        except DatasetError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            f"{len(dataset.items)} items, {len(dataset.interactions)} interactions loaded"
        )
        for note in dataset.notes:
            self.stdout.write(note)
        try:
            result = evaluate(
                dataset=dataset,
                options=EvaluationOptions(
                    ks=ks,
                    eval_users=options["eval_users"],
                    seed=options["seed"],
                    simulate=options["simulate"],
                    viewer=options["viewer"],
                    progress=not options["no_progress"],
                ),
                log=self.stdout.write,
                started=started,
            )
        except EvaluationInputError as exc:
            raise CommandError(str(exc)) from None
        report = result.report
        self.stdout.write("")
        self.stdout.write(
            f"{result.evaluated_users} evaluated users, {report['users']} users, "
            f"{report['items']} items, {report['interactions']} interactions, "
            f"{report['seconds']} s"
        )
        self.stdout.write(methods_table(report["methods"]))
        methods = report["methods"]
        k = ks[-1]
        for baseline in ("itemknn", "hybrid", "popularity", "content_only"):
            engine, other = methods["engine"][f"recall@{k}"], methods[baseline][f"recall@{k}"]
            verdict = "beats" if engine > other else "DOES NOT beat"
            self.stdout.write(
                f"engine {verdict} {baseline} on recall@{k}: {relative_gain(engine, other)}"
            )
        if "simulation" in report:
            self.stdout.write("simulation: " + json.dumps(report["simulation"]))
        if out is not None:
            out.write_text(json.dumps(report, indent=2) + "\n")
            self.stdout.write(f"report written to {out}")
