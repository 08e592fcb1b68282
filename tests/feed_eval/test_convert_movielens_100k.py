"""scripts/convert_movielens_100k.py: the MovieLens 100K files to evaluate_feed's CSV format."""

from __future__ import annotations

import csv
import importlib.util
from pathlib import Path

from tests.conftest import BASE_DIR

_spec = importlib.util.spec_from_file_location(
    "convert_movielens_100k", Path(BASE_DIR) / "scripts" / "convert_movielens_100k.py"
)
convert_100k = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(convert_100k)

GENRES = "unknown|0\nAnimation|1\nComedy|2\nCrime|3\n\n"


def _write(folder: Path, *, genres: str = GENRES, items: str, ratings: str) -> None:
    (folder / "u.genre").write_bytes(genres.encode("latin-1"))
    (folder / "u.item").write_bytes(items.encode("latin-1"))
    (folder / "u.data").write_bytes(ratings.encode("latin-1"))


def _run(folder: Path) -> int:
    return convert_100k.main(["--src", str(folder), "--out", str(folder / "out")])


def test_movies_get_their_rarest_genre_first_and_low_ratings_are_dropped(tmp_path: Path) -> None:
    _write(
        tmp_path,
        items=(
            "1|Toy Story (1995)|01-Jan-1995||http://x|0|1|1|0\n"
            "2|Misérables, Les (1995)|01-Jan-1995||http://x|0|0|1|1\n"
            "3|Clueless (1995)|01-Jan-1995||http://x|0|0|1|0\n"
            "4|unknown||||1|0|0|0\n"
            "5||01-Jan-1995||http://x|0|0|1|0\n"
        ),
        ratings="7\t1\t5\t100\n7\t2\t2\t101\n8\t3\t4\t102\n8\t4\t5\t103\n9\t5\t5\t104\n",
    )
    assert _run(tmp_path) == 0
    items = list(csv.DictReader((tmp_path / "out" / "items.csv").open(encoding="utf-8")))
    assert [(i["item_id"], i["title"], i["tags"]) for i in items] == [
        ("m1", "Toy Story (1995)", "Animation|Comedy"),
        ("m2", "Misérables, Les (1995)", "Crime|Comedy"),
        ("m3", "Clueless (1995)", "Comedy"),
    ]
    rows = list(csv.DictReader((tmp_path / "out" / "interactions.csv").open()))
    assert [(r["user_id"], r["item_id"], r["timestamp"]) for r in rows] == [
        ("u7", "m1", "100"),
        ("u8", "m3", "102"),
    ]


def test_bad_input_exits_1_with_one_line_and_writes_nothing(tmp_path: Path, capsys) -> None:  # noqa: ANN001
    assert _run(tmp_path) == 1
    assert "u.genre is missing" in capsys.readouterr().err
    good_item = "1|A (1990)|||http://x|0|1|0|0\n"
    cases = {
        "u.item:1: want id|title": dict(items="1|A (1990)|||http://x|0|1|0\n", ratings=""),
        "u.item:1: want id|title|date": dict(items="1|A|||x|0|2|0|0\n", ratings=""),
        "u.data:2: bad rating or time": dict(items=good_item, ratings="1\t1\t5\t9\n1\t1\tx\t9\n"),
        "u.data:1: want user, movie, rating": dict(items=good_item, ratings="1 1 5 9\n"),
        "u.genre: want genre indexes": dict(
            genres="unknown|0\nAnimation|2\n", items="", ratings=""
        ),
        "u.genre:1: want name|index": dict(genres="Animation\n", items="", ratings=""),
    }
    for expected, files in cases.items():
        _write(tmp_path, **files)
        assert _run(tmp_path) == 1, expected
        error = capsys.readouterr().err.strip()
        assert error.count("\n") == 0 and expected in error, (expected, error)
        assert not (tmp_path / "out").exists()
