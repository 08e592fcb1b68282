"""Convert the MovieLens 100K release (u.item + u.genre + u.data) to evaluate_feed's format.

    python scripts/convert_movielens_100k.py --src ml-100k --out var/datasets/ml100k

MovieLens 100K (GroupLens, 1998: 943 users, 1,682 movies, 100,000 ratings with times) is the
older, denser sibling of the "latest" release that scripts/convert_movielens.py reads: about
five and a half times as many users per movie, so every movie can reach someone's top 10 and
coverage@10 is not capped by the number of list places. Its licence forbids redistribution and
commercial use, so the data never enters this repository: bring your own copy
(https://grouplens.org/datasets/movielens/100k/) and convert it here.

- items.csv `item_id,title,tags`: `m<movie id>`, the title, and the genres with the coarse
  category first (the least common genre, as for the "latest" release); movies whose only
  genre is "unknown" or that have no title are left out.
- interactions.csv `user_id,item_id,timestamp`: one row per rating of at least --min-rating
  (default 4), each a positive, with the rating's time.

The files are read whole and checked before anything is written. Exits 1 with one line naming
the problem when an input is missing or malformed.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

# Run as a file or loaded by path: the shared command line sits beside this script.
sys.path.insert(0, str(Path(__file__).resolve().parent))
from dataset_cli import category_first, converter_main  # noqa: E402

ENCODING = "latin-1"  # the 1998 files predate UTF-8 at GroupLens ("Misérables" is one byte)
NOT_A_GENRE = "unknown"


def _lines(path: Path) -> list[str]:
    if not path.is_file():
        raise ValueError(f"{path} is missing (want a MovieLens 100K folder)")
    with path.open(encoding=ENCODING, newline="") as handle:
        return handle.read().splitlines()


def _genre_names(path: Path) -> list[str]:
    """Genre names by their flag position, from u.genre's `name|index` lines."""
    names: dict[int, str] = {}
    for line, text in enumerate(_lines(path), start=1):
        if not text.strip():
            continue
        name, _, index = text.rpartition("|")
        if not name or not index.isdigit():
            raise ValueError(f"{path}:{line}: want name|index")
        names[int(index)] = name
    if sorted(names) != list(range(len(names))) or not names:
        raise ValueError(f"{path}: want genre indexes 0..n-1")
    return [names[index] for index in range(len(names))]


def _movies(path: Path, genres: list[str]) -> tuple[dict[str, str], dict[str, list[str]]]:
    """Titles and genres by movie id, from u.item's `id|title|date|video date|url|flags...`."""
    titles: dict[str, str] = {}
    genres_of: dict[str, list[str]] = {}
    for line, text in enumerate(_lines(path), start=1):
        if not text.strip():
            continue
        fields = text.split("|")
        flags = fields[5:]
        if len(fields) < 5 or len(flags) != len(genres) or set(flags) - {"0", "1"}:
            raise ValueError(
                f"{path}:{line}: want id|title|date|video date|url and "
                f"{len(genres)} genre flags of 0 or 1"
            )
        movie_id, title = fields[0].strip(), fields[1].strip()
        if not movie_id:
            raise ValueError(f"{path}:{line}: the movie id is empty")
        titles[movie_id] = title
        genres_of[movie_id] = [
            name
            for name, flag in zip(genres, flags, strict=True)
            if flag == "1" and name != NOT_A_GENRE
        ]
    return titles, genres_of


def _positives(path: Path, min_rating: float) -> list[tuple[str, str, int]]:
    """(user, movie, time) of each rating of at least min_rating in u.data (tab-separated
    `user movie rating time`, no header)."""
    rows: list[tuple[str, str, int]] = []
    for line, text in enumerate(_lines(path), start=1):
        if not text.strip():
            continue
        fields = text.split("\t")
        if len(fields) != 4:
            raise ValueError(f"{path}:{line}: want user, movie, rating and time, tab-separated")
        user, movie = fields[0].strip(), fields[1].strip()
        try:
            rating, timestamp = float(fields[2]), int(fields[3])
        except ValueError as exc:
            raise ValueError(f"{path}:{line}: bad rating or time") from exc
        if not user or not movie:
            raise ValueError(f"{path}:{line}: the user or movie id is empty")
        if rating >= min_rating:
            rows.append((user, movie, timestamp))
    return rows


def convert(src: Path, out: Path, min_rating: float) -> tuple[int, int, int]:
    """Write items.csv and interactions.csv; returns (items, users, interactions)."""
    genres = _genre_names(src / "u.genre")
    titles, genres_of = _movies(src / "u.item", genres)
    tags_of = category_first(genres_of)
    kept = {movie_id for movie_id, title in titles.items() if title and movie_id in tags_of}
    positives = [row for row in _positives(src / "u.data", min_rating) if row[1] in kept]
    out.mkdir(parents=True, exist_ok=True)
    with (out / "items.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["item_id", "title", "tags"])
        writer.writerows(
            [f"m{movie_id}", title, "|".join(tags_of[movie_id])]
            for movie_id, title in titles.items()
            if movie_id in kept
        )
    with (out / "interactions.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["user_id", "item_id", "timestamp"])
        writer.writerows([f"u{user}", f"m{movie}", time] for user, movie, time in positives)
    return len(kept), len({user for user, _, _ in positives}), len(positives)


def main(argv: list[str] | None = None) -> int:
    return converter_main(
        name="convert_movielens_100k",
        description=__doc__.splitlines()[0],
        src_help="folder with u.item, u.genre, u.data",
        default_min_rating=4.0,
        convert=convert,
        argv=argv,
    )


if __name__ == "__main__":
    sys.exit(main())
