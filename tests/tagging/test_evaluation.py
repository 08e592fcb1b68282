"""Labeled-set reading and the tagging metrics (no pipeline)."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from tagging.evaluation import DatasetError, EvaluatedVideo, labels_read, tagging_metrics


def dataset(tmp_path: Path, labels: str, files: tuple[str, ...] = ("a.mp4", "b.mp4")) -> Path:
    for name in files:
        (tmp_path / name).write_bytes(b"x")
    (tmp_path / "labels.csv").write_text(labels)
    return tmp_path


def test_labels_give_paths_and_expected_slugs(tmp_path: Path) -> None:
    videos = labels_read(dataset(tmp_path, "filename,tags\na.mp4,cats|pets\nb.mp4,\n"))
    assert [(v.path.name, v.expected) for v in videos] == [
        ("a.mp4", ("cats", "pets")),
        ("b.mp4", ()),
    ]


@pytest.mark.parametrize(
    ("labels", "message"),
    [
        ("name,tags\na.mp4,cats\n", "line 1: the header must be exactly 'filename,tags'"),
        ("filename,tags\nmissing.mp4,cats\n", "line 2: video file 'missing.mp4' not found"),
        ("filename,tags\na.mp4,cats,extra\n", "line 2: expected 2 columns, got 3"),
        ("filename,tags\na.mp4,cats\na.mp4,dogs\n", "line 3: 'a.mp4' is listed twice"),
        ("filename,tags\na.mp4,kats\n", "line 2: unknown tag slug(s) kats"),
        ("filename,tags\n", "lists no videos"),
    ],
)
def test_bad_labels_name_the_problem_and_line(tmp_path: Path, labels: str, message: str) -> None:
    with pytest.raises(DatasetError) as error:
        labels_read(dataset(tmp_path, labels), known_slugs={"cats", "dogs"})
    assert message in str(error.value)


def test_metrics_follow_their_definitions() -> None:
    results = [
        EvaluatedVideo("1", ("cats",), ("cats", "pets", "dogs")),
        EvaluatedVideo("2", ("dogs", "pets"), ("cats", "pets")),
        EvaluatedVideo("3", ("guitar",), ()),
        EvaluatedVideo("4", (), ()),
    ]
    metrics = tagging_metrics(results)
    assert metrics.labeled == 3
    assert metrics.precision_at_1 == pytest.approx(1 / 3)
    assert metrics.precision_at_3 == pytest.approx((1 / 3 + 1 / 3 + 0) / 3)
    assert metrics.recall_at_5 == pytest.approx((1 + 0.5 + 0) / 3)
    assert metrics.no_tag_share == pytest.approx(2 / 4)


@pytest.mark.django_db
def test_evaluate_tagging_fails_in_one_line_on_a_bad_dataset_path(tmp_path: Path) -> None:
    with pytest.raises(CommandError) as error:
        call_command("evaluate_tagging", str(tmp_path / "nowhere"), stdout=StringIO())
    assert "not a directory" in str(error.value) and "\n" not in str(error.value)
