"""manage.py evaluate_search: video search quality (nDCG@10, recall@10) per method and query
kind, on a generated catalogue in a throwaway database, with the real embedder."""

from __future__ import annotations

import json
import logging
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from feed.evaluation.throwaway import throwaway_environment
from search.evaluation.queries import QUERY_KINDS
from search.evaluation.runner import K, search_evaluate
from tiktok.command_output import embedder_failures_reported, report_path_check


class Command(BaseCommand):
    help = (
        "Generate a catalogue of captioned, tagged videos and labelled queries (exact words, "
        "misspellings, paraphrases sharing no word) and report nDCG@10 and recall@10 of "
        "keyword-only, semantic-only and fused video search."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--items", type=int, default=3000)
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument("--out", type=Path, default=Path("var/eval/search.json"))
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args, **options) -> None:  # noqa: ANN002, ANN003
        if options["items"] < 50:
            raise CommandError("need --items >= 50")
        out = report_path_check(options["out"])
        logging.getLogger("httpx").setLevel(logging.WARNING)
        with (
            embedder_failures_reported(),
            throwaway_environment(prefix="evalsearch") as environment,
        ):
            self.stdout.write(f"throwaway database {environment.database_name}")
            report = search_evaluate(
                n_items=options["items"],
                seed=options["seed"],
                progress=not options["no_progress"],
                log=self.stdout.write,
            )
        out.write_text(json.dumps(report, indent=2) + "\n")
        self.stdout.write(self._table(report))
        self.stdout.write(
            f"query embedding: {report['query_embedding_ms_per_query']} ms per query "
            "(batched; not part of the figures above)"
        )
        self.stdout.write(f"written to {out}")

    @staticmethod
    def _table(report: dict) -> str:
        kinds = (*QUERY_KINDS, "mixed")
        header = f"{'method':<10}" + "".join(f"{kind:>22}" for kind in kinds)
        lines = [header, " " * 10 + "".join(f"{f'nDCG@{K} / recall@{K}':>22}" for _ in kinds)]
        for method, row in report["methods"].items():
            cells = "".join(
                f"{row[f'ndcg@{K}_{kind}']:>12.3f} / {row[f'recall@{K}_{kind}']:.3f}"
                for kind in kinds
            )
            lines.append(f"{method:<10}{cells}")
        return "\n".join(lines)
