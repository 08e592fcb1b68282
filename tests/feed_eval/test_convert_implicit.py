"""scripts/convert_steam.py and scripts/convert_bookcrossing.py: implicit-feedback catalogues
(a titles file and a user-item-value file) to evaluate_feed's CSV format."""

from __future__ import annotations

import csv
import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

from tests.conftest import BASE_DIR


def _script(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, Path(BASE_DIR) / "scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


convert_steam = _script("convert_steam")
convert_bookcrossing = _script("convert_bookcrossing")


def _write(path: Path, lines: list[str]) -> None:
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")


def _read(path: Path) -> list[tuple[str, ...]]:
    return [tuple(row.values()) for row in csv.DictReader(path.open(encoding="utf-8"))]


def test_steam_purchases_become_positives_in_file_order(tmp_path: Path) -> None:
    _write(
        tmp_path / "item_info.dat",
        ["Game_ID\tGame Name", "1\tThe Elder Scrolls V Skyrim", '2\t"Portal 2"', "3\t"],
    )
    _write(
        tmp_path / "game_purchase.dat",
        [
            "User_ID\tGame_ID\tPurchase",
            "5\t2\t1.0",
            "5\t3\t1.0",  # a game without a name is not in the catalogue
            "6\t9\t1.0",  # nor is an unknown one
            "6\t1\t1.0",
            "5\t1\t1.0",
        ],
    )
    out = tmp_path / "out"
    assert convert_steam.main(["--src", str(tmp_path), "--out", str(out)]) == 0
    # Quotes are part of a title, not CSV quoting.
    assert _read(out / "items.csv") == [
        ("g1", "The Elder Scrolls V Skyrim", ""),
        ("g2", '"Portal 2"', ""),
    ]
    # No time in the files: the row's line in the purchases file keeps their order.
    assert _read(out / "interactions.csv") == [
        ("u5", "g2", "2"),
        ("u6", "g1", "5"),
        ("u5", "g1", "6"),
    ]


def test_bookcrossing_titles_are_decoded_and_split_publishers_ignored(tmp_path: Path) -> None:
    header = "Book_ID\tISBN\tBook-Title\tBook-Author\tYear-Of-Publication\tPublisher"
    _write(
        tmp_path / "items_info.dat",
        [
            header,
            # The source split "W. W. Norton &amp; Company" at its semicolon into a 7th field.
            "2\t0393045218\tThe Mummies of Urumchi\tE. J. W. Barber\t1999\tW. W. Norton &amp\t Co",
            "3\t0399135782\tThe Kitchen God&#039;s Wife\tAmy Tan\t1991\tPutnam",
        ],
    )
    _write(
        tmp_path / "book_history.dat",
        ["user\titem\taccessed", "1\t3\t1", "1\t2\t0", "2\t2\t1"],
    )
    out = tmp_path / "out"
    assert convert_bookcrossing.main(["--src", str(tmp_path), "--out", str(out)]) == 0
    assert _read(out / "items.csv") == [
        ("b2", "The Mummies of Urumchi", ""),
        ("b3", "The Kitchen God's Wife", ""),
    ]
    # A value below --min-rating (default 1) is not a positive.
    assert _read(out / "interactions.csv") == [("u1", "b3", "2"), ("u2", "b2", "4")]
    assert (
        convert_bookcrossing.main(["--src", str(tmp_path), "--out", str(out), "--min-rating", "0"])
        == 0
    )
    assert len(_read(out / "interactions.csv")) == 3


@pytest.mark.parametrize(
    ("items", "interactions", "message"),
    [
        (None, None, "item_info.dat is missing"),
        (["Game_ID\tGame Name", "1\tA"], None, "game_purchase.dat is missing"),
        (["id\tname", "1\tA"], ["User_ID\tGame_ID\tPurchase"], "want the tab-separated columns"),
        (
            ["Game_ID\tGame Name", "1\tA"],
            ["User_ID\tGame_ID\tPurchase", "1\t1\t1.0", "1\t1\tyes"],
            "game_purchase.dat:3: bad Purchase 'yes'",
        ),
    ],
)
def test_bad_input_exits_1_with_one_line_and_writes_nothing(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    items: list[str] | None,
    interactions: list[str] | None,
    message: str,
) -> None:
    if items is not None:
        _write(tmp_path / "item_info.dat", items)
    if interactions is not None:
        _write(tmp_path / "game_purchase.dat", interactions)
    out = tmp_path / "out"
    assert convert_steam.main(["--src", str(tmp_path), "--out", str(out)]) == 1
    error = capsys.readouterr().err.strip()
    assert error.count("\n") == 0 and message in error and error.startswith("convert_steam: ")
    assert not out.exists()
