"""scripts/convert_movielens.py: MovieLens files to evaluate_feed's CSV format."""

from __future__ import annotations

import csv
import importlib.util
from pathlib import Path

from tests.conftest import BASE_DIR

_spec = importlib.util.spec_from_file_location(
    "convert_movielens", Path(BASE_DIR) / "scripts" / "convert_movielens.py"
)
convert_movielens = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(convert_movielens)


def _write(path: Path, rows: list[list[str]]) -> None:
    with path.open("w", newline="") as handle:
        csv.writer(handle).writerows(rows)


def test_movies_get_their_rarest_genre_first_and_low_ratings_are_dropped(tmp_path: Path) -> None:
    _write(
        tmp_path / "movies.csv",
        [
            ["movieId", "title", "genres"],
            ["1", "Toy Story (1995)", "Animation|Comedy"],
            ["2", "Heat (1995)", "Comedy|Crime"],
            ["3", "Clueless (1995)", "Comedy"],
            ["4", "Unknown", "(no genres listed)"],
        ],
    )
    _write(
        tmp_path / "ratings.csv",
        [
            ["userId", "movieId", "rating", "timestamp"],
            ["7", "1", "4.5", "100"],
            ["7", "2", "2.0", "101"],
            ["8", "3", "4.0", "102"],
            ["8", "4", "5.0", "103"],
        ],
    )
    assert convert_movielens.main(["--src", str(tmp_path), "--out", str(tmp_path / "out")]) == 0
    items = list(csv.DictReader((tmp_path / "out" / "items.csv").open()))
    assert [(i["item_id"], i["tags"]) for i in items] == [
        ("m1", "Animation|Comedy"),
        ("m2", "Crime|Comedy"),
        ("m3", "Comedy"),
    ]
    rows = list(csv.DictReader((tmp_path / "out" / "interactions.csv").open()))
    assert [(r["user_id"], r["item_id"], r["timestamp"]) for r in rows] == [
        ("u7", "m1", "100"),
        ("u8", "m3", "102"),
    ]


def test_a_missing_or_malformed_input_exits_1_with_one_line(tmp_path: Path, capsys) -> None:  # noqa: ANN001
    assert convert_movielens.main(["--src", str(tmp_path), "--out", str(tmp_path / "o")]) == 1
    assert "movies.csv is missing" in capsys.readouterr().err
    _write(tmp_path / "movies.csv", [["movieId", "title", "genres"], ["1", "A", "Drama"]])
    _write(
        tmp_path / "ratings.csv",
        [["userId", "movieId", "rating", "timestamp"], ["1", "1", "x", "1"]],
    )
    assert convert_movielens.main(["--src", str(tmp_path), "--out", str(tmp_path / "o")]) == 1
    error = capsys.readouterr().err.strip()
    assert error.count("\n") == 0 and "ratings.csv:2: bad rating" in error
