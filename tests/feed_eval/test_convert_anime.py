"""scripts/convert_anime.py: the anime ratings sample to evaluate_feed's CSV format."""

from __future__ import annotations

import csv
import importlib.util
from pathlib import Path

from tests.conftest import BASE_DIR

_spec = importlib.util.spec_from_file_location(
    "convert_anime", Path(BASE_DIR) / "scripts" / "convert_anime.py"
)
convert_anime = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(convert_anime)

INFO = ["anime_ids", "name", "genre", "type", "episodes", "rating", "members"]


def _write(path: Path, rows: list[list[str]]) -> None:
    with path.open("w", newline="") as handle:
        csv.writer(handle, delimiter="\t").writerows(rows)


def test_titles_get_their_rarest_genre_first_and_low_ratings_are_dropped(tmp_path: Path) -> None:
    _write(
        tmp_path / "anime_info.dat",
        [
            INFO,
            ["1", "Kimi no Na wa.", "Drama, Romance", "Movie", "1", "9.37", "200630"],
            ["2", "Gintama&#039;", "Action, Comedy, Drama", "TV", "51", "9.25", "114262"],
            ["3", "Nameless", "", "TV", "1", "5.0", "10"],
            ["4", "Adult", "Hentai, Romance", "OVA", "1", "6.0", "10"],
        ],
    )
    _write(
        tmp_path / "anime_ratings.dat",
        [
            ["User_ID", "Anime_ID", "Feedback"],
            ["7", "1", "9"],
            ["7", "2", "5"],
            ["8", "2", "8"],
            ["8", "3", "10"],
            ["8", "4", "10"],
        ],
    )
    assert convert_anime.main(["--src", str(tmp_path), "--out", str(tmp_path / "out")]) == 0
    items = list(csv.DictReader((tmp_path / "out" / "items.csv").open()))
    assert [(i["item_id"], i["title"], i["tags"]) for i in items] == [
        ("a1", "Kimi no Na wa.", "Romance|Drama"),  # Drama is in both titles, Romance in one
        ("a2", "Gintama'", "Action|Comedy|Drama"),
    ]
    rows = list(csv.DictReader((tmp_path / "out" / "interactions.csv").open()))
    # No time in the files: the row's line in the ratings file keeps their order.
    assert [(r["user_id"], r["item_id"], r["timestamp"]) for r in rows] == [
        ("u7", "a1", "2"),
        ("u8", "a2", "4"),
    ]


def test_a_missing_or_malformed_input_exits_1_with_one_line(tmp_path: Path, capsys) -> None:  # noqa: ANN001
    assert convert_anime.main(["--src", str(tmp_path), "--out", str(tmp_path / "o")]) == 1
    assert "anime_info.dat is missing" in capsys.readouterr().err
    _write(tmp_path / "anime_info.dat", [INFO, ["1", "A", "Drama", "TV", "1", "7", "1"]])
    _write(tmp_path / "anime_ratings.dat", [["User_ID", "Anime_ID", "Feedback"], ["1", "1", "x"]])
    assert convert_anime.main(["--src", str(tmp_path), "--out", str(tmp_path / "o")]) == 1
    error = capsys.readouterr().err.strip()
    assert error.count("\n") == 0 and "anime_ratings.dat:2: bad rating" in error
    _write(tmp_path / "anime_ratings.dat", [["user", "anime", "score"], ["1", "1", "9"]])
    assert convert_anime.main(["--src", str(tmp_path), "--out", str(tmp_path / "o")]) == 1
    assert "want the tab-separated columns" in capsys.readouterr().err
