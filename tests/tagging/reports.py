"""Run `evaluate_tagging` on a dataset folder the way the labelled-set tests do."""

from __future__ import annotations

import re
from io import StringIO
from pathlib import Path

from django.core.management import call_command


def evaluate_tagging_report(folder: Path) -> tuple[str, dict[str, float]]:
    """Load the default taxonomy, evaluate the folder; return the report and the pipeline
    line's figures (precision@1, precision@3, fit@3, recall@5)."""
    call_command("load_taxonomy", "--default", stdout=StringIO())
    out = StringIO()
    call_command("evaluate_tagging", str(folder), "--transcripts", stdout=out)
    report = out.getvalue()
    line = next(line for line in report.splitlines() if line.startswith("pipeline "))
    figures = re.findall(r"(precision@1|precision@3|fit@3|recall@5)=([0-9.]+)", line)
    return report, {name: float(value) for name, value in figures}
