"""What the dataset converters share (scripts/convert_*.py): the command line (--src, --out,
--min-rating; on bad input, exit 1 with one line naming the problem) and the conversion of an
implicit-feedback catalogue (a titles file and a user-item-value file, tab-separated)."""

from __future__ import annotations

import argparse
import csv
import html
import sys
from collections.abc import Callable
from pathlib import Path

Convert = Callable[[Path, Path, float], tuple[int, int, int]]


def converter_main(
    *,
    name: str,
    description: str,
    src_help: str,
    default_min_rating: float,
    convert: Convert,
    argv: list[str] | None = None,
) -> int:
    """Parse the arguments, run `convert(src, out, min_rating)` and report its counts."""
    parser = argparse.ArgumentParser(prog=name, description=description)
    parser.add_argument("--src", type=Path, required=True, help=src_help)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--min-rating", type=float, default=default_min_rating)
    args = parser.parse_args(argv)
    try:
        items, users, interactions = convert(args.src, args.out, args.min_rating)
    except (ValueError, OSError, csv.Error) as exc:
        print(f"{name}: {exc}", file=sys.stderr)
        return 1
    print(f"{items} items, {users} users, {interactions} interactions -> {args.out}")
    return 0


def _tsv_rows(path: Path, columns: tuple[str, ...]):  # noqa: ANN202
    """(line number, {column: value}) of a tab-separated file with a header row; quotes are
    text, and extra fields on a line (a value holding a tab) are ignored."""
    if not path.is_file():
        raise ValueError(f"{path} is missing")
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        if not set(columns) <= {name.strip() for name in reader.fieldnames or []}:
            raise ValueError(f"{path}: want the tab-separated columns {','.join(columns)}")
        reader.fieldnames = [name.strip() for name in reader.fieldnames or []]
        for line, row in enumerate(reader, start=2):
            yield line, {name: (row.get(name) or "").strip() for name in columns}


def implicit_convert(
    *,
    items_path: Path,
    item_columns: tuple[str, str],
    interactions_path: Path,
    interaction_columns: tuple[str, str, str],
    prefix: str,
    out: Path,
    min_value: float,
) -> tuple[int, int, int]:
    """items.csv (`<prefix><id>`, the title, no tags) and interactions.csv (one positive per row
    whose value is at least min_value; the row's line as its timestamp, since the files carry no
    time) from a catalogue file (id, title columns) and an interactions file (user, item, value
    columns). Items without a title and rows naming an unknown item are left out; returns
    (items, users, interactions)."""
    id_column, title_column = item_columns
    titles: dict[str, str] = {}
    for _, row in _tsv_rows(items_path, item_columns):
        title = html.unescape(row[title_column])
        if row[id_column] and title:
            titles[row[id_column]] = title
    user_column, item_column, value_column = interaction_columns
    positives: list[tuple[str, str, int]] = []  # read and checked whole before anything is written
    for line, row in _tsv_rows(interactions_path, interaction_columns):
        try:
            value = float(row[value_column])
        except ValueError as exc:
            raise ValueError(
                f"{interactions_path}:{line}: bad {value_column} {row[value_column]!r}"
            ) from exc
        if value >= min_value and row[item_column] in titles and row[user_column]:
            positives.append((row[user_column], row[item_column], line))
    out.mkdir(parents=True, exist_ok=True)
    with (out / "items.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["item_id", "title", "tags"])
        writer.writerows([f"{prefix}{item_id}", title, ""] for item_id, title in titles.items())
    with (out / "interactions.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["user_id", "item_id", "timestamp"])
        writer.writerows([f"u{user}", f"{prefix}{item}", line] for user, item, line in positives)
    users = {user for user, _, _ in positives}
    count = len(positives)
    return len(titles), len(users), count
