"""What the dataset converters share (scripts/convert_*.py): the command line (--src, --out,
--min-rating; on bad input, exit 1 with one line naming the problem) and the conversion of an
implicit-feedback catalogue (a titles file and a user-item-value file, tab-separated)."""

from __future__ import annotations

import argparse
import csv
import html
import sys
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
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


def columns_check(
    reader: csv.DictReader, path: Path, columns: Sequence[str], *, kind: str = ""
) -> None:
    """ValueError `<path>: want the <kind>columns a,b,c` unless the header holds these columns
    (spaces around a name ignored); the reader's names are stripped, so rows are read by them."""
    names = [name.strip() for name in reader.fieldnames or []]
    if not set(columns) <= set(names):
        raise ValueError(f"{path}: want the {kind}columns {','.join(columns)}")
    reader.fieldnames = names


def category_first(genres_of: dict[str, list[str]]) -> dict[str, list[str]]:
    """Each item's genres with its coarse category first: its least common genre in the
    catalogue (the most specific one: "Animation" rather than "Comedy"; ties by name)."""
    frequency = Counter(genre for genres in genres_of.values() for genre in genres)
    ordered: dict[str, list[str]] = {}
    for item_id, genres in genres_of.items():
        if genres:
            category = min(genres, key=lambda genre: (frequency[genre], genre))
            ordered[item_id] = [category, *(genre for genre in genres if genre != category)]
    return ordered


def _tsv_rows(path: Path, columns: tuple[str, ...]):  # noqa: ANN202
    """(line number, {column: value}) of a tab-separated file with a header row; quotes are
    text, and extra fields on a line (a value holding a tab) are ignored."""
    if not path.is_file():
        raise ValueError(f"{path} is missing")
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        columns_check(reader, path, columns, kind="tab-separated ")
        for line, row in enumerate(reader, start=2):
            yield line, {name: (row.get(name) or "").strip() for name in columns}


@dataclass(frozen=True)
class ImplicitCatalogue:
    """Where an implicit-feedback catalogue keeps its titles and its user-item-value rows
    (tab-separated, in the --src folder), and the prefix of its item ids."""

    items_file: str
    item_columns: tuple[str, str]  # id, title
    interactions_file: str
    interaction_columns: tuple[str, str, str]  # user, item, value
    prefix: str


def implicit_main(
    *, name: str, doc: str, catalogue: ImplicitCatalogue, argv: list[str] | None
) -> int:
    """A converter script's whole command line for an implicit-feedback catalogue (every row a
    positive unless its value is below --min-rating, default 1)."""

    def convert(src: Path, out: Path, min_rating: float) -> tuple[int, int, int]:
        return implicit_convert(catalogue, src=src, out=out, min_value=min_rating)

    return converter_main(
        name=name,
        description=doc.splitlines()[0],
        src_help=f"folder with {catalogue.items_file}, {catalogue.interactions_file}",
        default_min_rating=1.0,
        convert=convert,
        argv=argv,
    )


def implicit_convert(
    catalogue: ImplicitCatalogue, *, src: Path, out: Path, min_value: float
) -> tuple[int, int, int]:
    """items.csv (`<prefix><id>`, the title, no tags) and interactions.csv (one positive per row
    whose value is at least min_value; the row's line as its timestamp, since the files carry no
    time) from the catalogue's files in src. Items without a title and rows naming an unknown
    item are left out; returns (items, users, interactions)."""
    items_path = src / catalogue.items_file
    interactions_path = src / catalogue.interactions_file
    item_columns, interaction_columns = catalogue.item_columns, catalogue.interaction_columns
    prefix = catalogue.prefix
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
    return len(titles), len({user for user, _, _ in positives}), len(positives)
