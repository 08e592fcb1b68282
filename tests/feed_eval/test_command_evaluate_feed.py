"""evaluate_feed end to end on a small generated dataset, with the real embedder."""

from __future__ import annotations

import json
import logging
import os
import re
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from feed.evaluation.synthetic import generate_dataset
from tests.feed_eval.conftest import row_counts

BASE_DIR = Path(__file__).resolve().parents[2]
METHODS = {"engine", "itemknn", "hybrid", "popularity", "content_only", "random"}


@pytest.fixture(scope="module")
def small_dataset(tmp_path_factory) -> tuple[Path, Path]:  # noqa: ANN001
    return generate_dataset(
        tmp_path_factory.mktemp("dataset"), n_items=150, n_users=60, n_interactions=450, seed=5
    )


def test_report_has_every_method_and_consistent_metrics_and_leaves_no_database(
    embedder, outside_transaction, small_dataset, tmp_path
):
    items, interactions = small_dataset
    before = row_counts()
    database_before = connection.settings_dict["NAME"]
    out = StringIO()
    report_path = tmp_path / "report.json"
    call_command(
        "evaluate_feed",
        items=str(items),
        interactions=str(interactions),
        k="10,20",
        eval_users=40,
        seed=1,
        out=str(report_path),
        no_progress=True,
        stdout=out,
    )
    report = json.loads(report_path.read_text())
    assert set(report) == {"methods", "users", "items", "interactions", "seconds"}
    assert set(report["methods"]) == METHODS
    assert (report["users"], report["items"], report["interactions"]) == (60, 150, 450)
    for name, metrics in report["methods"].items():
        for k in (10, 20):
            for metric in ("recall", "ndcg", "coverage", "ild", "fresh"):
                assert 0.0 <= metrics[f"{metric}@{k}"] <= 1.0, (name, metric, k)
        assert metrics["recall@20"] >= metrics["recall@10"], name
        assert metrics["ndcg@20"] >= metrics["ndcg@10"], name
        assert metrics["ndcg@10"] <= metrics["recall@10"], name
        assert metrics["coverage@20"] >= metrics["coverage@10"], name
    assert report["methods"]["engine"]["coverage@10"] > 0  # the engine returned pages
    database = re.search(r"throwaway database (\w+)", out.getvalue()).group(1)
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database])
        assert cursor.fetchone() is None
    assert connection.settings_dict["NAME"] == database_before
    assert row_counts() == before
    assert "recall@20" in out.getvalue() and "content_only" in out.getvalue()


def _simulation(dataset: tuple[Path, Path], tmp_path: Path, *, viewer: str, viewers: int) -> dict:
    """Run evaluate_feed with a simulation of `viewers` viewers; its report's simulation part."""
    items, interactions = dataset
    report_path = tmp_path / "report.json"
    call_command(
        "evaluate_feed",
        items=str(items),
        interactions=str(interactions),
        eval_users=5,
        simulate=viewers,
        viewer=viewer,
        out=str(report_path),
        no_progress=True,
        stdout=StringIO(),
    )
    return json.loads(report_path.read_text())["simulation"][viewer]


def test_simulation_reports_hit_rate_and_interactions_to_adapt(
    embedder, outside_transaction, small_dataset, tmp_path
):
    simulation = _simulation(small_dataset, tmp_path, viewer="soft", viewers=3)
    assert simulation["viewers"] == 3
    assert 0.0 <= simulation["hit_rate"] <= 1.0
    assert 0.0 <= simulation["adapted_share"] <= 1.0
    needed = simulation["interactions_to_adapt_median"]
    assert needed is None or 0 <= needed <= simulation["not_adapted_within"]


def test_unknown_item_in_interactions_fails_naming_file_and_line(tmp_path):
    items = tmp_path / "items.csv"
    items.write_text("item_id,title,tags\na,cat video,pets\n")
    rows = tmp_path / "interactions.csv"
    rows.write_text("user_id,item_id,timestamp\nu1,a,10\nu1,b,20\n")
    with pytest.raises(CommandError, match=rf"{re.escape(str(rows))}:3: unknown item id 'b'"):
        call_command("evaluate_feed", items=str(items), interactions=str(rows))


def _catalogue(tmp_path: Path, item_lines: list[str], rows: list[str]) -> tuple[Path, Path]:
    items, interactions = tmp_path / "items.csv", tmp_path / "interactions.csv"
    items.write_text("item_id,title,tags\n" + "".join(f"{line}\n" for line in item_lines))
    interactions.write_text("user_id,item_id,timestamp\n" + "".join(f"{r}\n" for r in rows))
    return items, interactions


def test_nothing_to_hold_out_is_a_command_error(tmp_path):
    items, interactions = _catalogue(
        tmp_path, ["a,cat video,", "b,dog video,"], ["u1,a,1", "u2,b,2"]
    )
    with pytest.raises(CommandError, match="no user has two or more distinct items"):
        call_command("evaluate_feed", items=str(items), interactions=str(interactions))


def test_category_viewer_without_categories_fails_before_any_work(tmp_path, monkeypatch):
    # 30 items in one tag and 9 in another: one category of >= 10 items, none to switch to.
    lines = [f"i{n},video {n},{'pets' if n < 30 else 'food'}" for n in range(39)]
    items, interactions = _catalogue(tmp_path, lines, ["u1,i1,1", "u1,i2,2", "u1,i31,3"])

    def embed(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        raise AssertionError("the embedder was called before the check")

    monkeypatch.setattr("feed.evaluation.runner.texts_embed", embed)
    with pytest.raises(
        CommandError, match=r"--viewer category: .*two categories of >= 10 items.*found 1"
    ):
        call_command("evaluate_feed", items=str(items), interactions=str(interactions), simulate=2)
    # The soft viewer needs two categories too (with none it failed after all the work, with
    # one it "switched" to the interest it had and reported a perfect adaptation).
    with pytest.raises(
        CommandError, match=r"--viewer soft: .*two categories of >= 10 items.*found 1"
    ):
        call_command(
            "evaluate_feed",
            items=str(items),
            interactions=str(interactions),
            simulate=2,
            viewer="soft",
        )
    # Leave-last-out alone needs none.
    with pytest.raises(AssertionError, match="embedder was called"):
        call_command("evaluate_feed", items=str(items), interactions=str(interactions))


def test_category_viewer_on_a_catalogue_too_small_to_measure_fails_before_any_work(
    tmp_path,  # noqa: ANN001
    monkeypatch,  # noqa: ANN001
) -> None:
    # 24 items: the warm viewer saw every card before the switch and none after, and "never
    # adapted" was reported.
    lines = [f"i{n},video {n},{'pets' if n < 12 else 'food'}" for n in range(24)]
    items, interactions = _catalogue(tmp_path, lines, ["u1,i1,1", "u1,i2,2", "u1,i13,3"])

    def embed(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        raise AssertionError("the embedder was called before the check")

    monkeypatch.setattr("feed.evaluation.runner.texts_embed", embed)
    with pytest.raises(CommandError, match=r"catalogue of >= 40 items .*found 24"):
        call_command("evaluate_feed", items=str(items), interactions=str(interactions), simulate=2)


def test_extra_columns_are_named_before_the_work(tmp_path, monkeypatch):
    lines = [f"i{n},video {n},pets,{n * 10}" for n in range(3)]
    items, interactions = _catalogue(tmp_path, [], ["u1,i1,1", "u1,i2,2"])
    items.write_text("item_id,title,tags,views\n" + "".join(f"{line}\n" for line in lines))

    def embed(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        raise AssertionError("embedding started")

    monkeypatch.setattr("feed.evaluation.runner.texts_embed", embed)
    out = StringIO()
    with pytest.raises(AssertionError, match="embedding started"):
        call_command("evaluate_feed", items=str(items), interactions=str(interactions), stdout=out)
    assert f"{items}: ignoring column(s) 'views'" in out.getvalue().splitlines()


def test_an_unusable_report_path_fails_before_any_work(tmp_path, monkeypatch):
    lines = [f"i{n},video {n},pets" for n in range(3)]
    items, interactions = _catalogue(tmp_path, lines, ["u1,i1,1", "u1,i2,2"])

    def embed(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        raise AssertionError("the embedder was called before the check")

    monkeypatch.setattr("feed.evaluation.runner.texts_embed", embed)
    paths = {"folder": tmp_path / "reports", "under_a_file": tmp_path / "items.csv" / "r.json"}
    paths["folder"].mkdir()
    with pytest.raises(CommandError, match=r"--out: .*reports is a directory"):
        call_command(
            "evaluate_feed", items=str(items), interactions=str(interactions), out=paths["folder"]
        )
    with pytest.raises(CommandError, match=r"--out: cannot create .*items\.csv"):
        call_command(
            "evaluate_feed",
            items=str(items),
            interactions=str(interactions),
            out=paths["under_a_file"],
        )
    assert items.read_text().startswith("item_id,title,tags\n")  # the input is untouched
    # A new folder for the report is made: the run gets as far as the embedder.
    with pytest.raises(AssertionError, match="embedder was called"):
        call_command(
            "evaluate_feed",
            items=str(items),
            interactions=str(interactions),
            out=tmp_path / "new" / "report.json",
        )
    assert (tmp_path / "new").is_dir()


def test_command_line_exits_non_zero_with_one_line_for_a_missing_file(tmp_path):
    missing = tmp_path / "absent.csv"
    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "evaluate_feed",
            "--items",
            str(missing),
            "--interactions",
            str(missing),
        ],
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "DEBUG": "1"},
    )
    assert result.returncode != 0
    errors = [line for line in result.stderr.splitlines() if "absent.csv" in line]
    assert errors == [f"CommandError: {missing}: file not found"]


def test_category_viewer_reports_adaptation_on_the_shown_stream(
    embedder, outside_transaction, small_dataset, tmp_path, caplog
):
    trace = logging.getLogger("celery.app.trace")
    level_before = trace.level
    caplog.set_level(logging.INFO)
    category = _simulation(small_dataset, tmp_path, viewer="category", viewers=2)
    # The feed tasks the simulation runs in process stay quiet (they were thousands of
    # "Task ... succeeded" lines on a real catalogue), and the logger's level is restored.
    assert not [record for record in caplog.records if record.name == "celery.app.trace"]
    assert trace.level == level_before
    keys = {
        "adapt_median",
        "adapt_p90",
        "adapted_within_20",
        "adapted_within_30",
        "adapted_within_50",
        "hit_rate_before",
        "hit_rate_after",
        "cold_first_interest_median",
    }
    assert keys <= set(category)
    assert category["viewers"] == 2 and category["categories"] >= 2
    assert 0 <= category["adapt_median"] <= category["adapt_p90"] <= category["censored_at"]
    for share in ("adapted_within_20", "adapted_within_30", "adapted_within_50"):
        assert 0.0 <= category[share] <= 1.0
    assert category["adapted_within_20"] <= category["adapted_within_30"]
    assert category["adapted_within_30"] <= category["adapted_within_50"]
    assert 0.0 <= category["hit_rate_before"] <= 1.0
    assert 0 <= category["cold_first_interest_median"] <= category["cold_censored_at"]
