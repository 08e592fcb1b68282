"""Convert a MovieLens "latest" release (movies.csv + ratings.csv) to evaluate_feed's format.

    python scripts/convert_movielens.py --src ml-latest-small --out var/datasets/movielens

MovieLens (GroupLens, University of Minnesota) is real public interaction data with English
titles and a coarse category (genre) per item. Its licence allows research use and forbids
commercial use without permission, so the data never enters this repository: bring your own
copy (https://grouplens.org/datasets/movielens/) and convert it here.

- items.csv `item_id,title,tags`: `m<movieId>`, the title, and the genres with the movie's
  coarse category first - its least common genre in the catalogue (the most specific one:
  "Animation" rather than "Comedy"); movies without genres are left out.
- interactions.csv `user_id,item_id,timestamp`: one row per rating of at least --min-rating
  (default 4.0: the usual implicit-feedback reading of explicit ratings), each a positive.

Exits 1 with one line naming the problem when an input is missing or malformed.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

# Run as a file or loaded by path: the shared command line sits beside this script.
sys.path.insert(0, str(Path(__file__).resolve().parent))
from dataset_cli import category_first, columns_check, converter_main  # noqa: E402

NO_GENRES = "(no genres listed)"


def convert(src: Path, out: Path, min_rating: float) -> tuple[int, int, int]:
    """Write items.csv and interactions.csv; returns (items, users, interactions)."""
    movies_path, ratings_path = src / "movies.csv", src / "ratings.csv"
    for path in (movies_path, ratings_path):
        if not path.is_file():
            raise ValueError(f"{path} is missing (want a MovieLens 'latest' folder)")
    with movies_path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        columns_check(reader, movies_path, ("movieId", "title", "genres"))
        movies = [
            (row["movieId"].strip(), row["title"].strip(), (row.get("genres") or "").strip())
            for row in reader
        ]
    genres_of = {
        movie_id: [g for g in genres.split("|") if g and g != NO_GENRES]
        for movie_id, _, genres in movies
    }
    tags_of = category_first(genres_of)
    out.mkdir(parents=True, exist_ok=True)
    kept: set[str] = set()
    with (out / "items.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["item_id", "title", "tags"])
        for movie_id, title, _ in movies:
            if movie_id not in tags_of or not title:
                continue
            writer.writerow([f"m{movie_id}", title, "|".join(tags_of[movie_id])])
            kept.add(movie_id)
    users: set[str] = set()
    count = 0
    with (
        ratings_path.open(newline="", encoding="utf-8") as source,
        (out / "interactions.csv").open("w", newline="", encoding="utf-8") as handle,
    ):
        reader = csv.DictReader(source)
        columns_check(reader, ratings_path, ("userId", "movieId", "rating", "timestamp"))
        writer = csv.writer(handle)
        writer.writerow(["user_id", "item_id", "timestamp"])
        for line, row in enumerate(reader, start=2):
            try:
                rating, timestamp = float(row["rating"]), int(row["timestamp"])
            except (TypeError, ValueError) as exc:
                raise ValueError(f"{ratings_path}:{line}: bad rating or timestamp") from exc
            if rating < min_rating or row["movieId"] not in kept:
                continue
            writer.writerow([f"u{row['userId']}", f"m{row['movieId']}", timestamp])
            users.add(row["userId"])
            count += 1
    return len(kept), len(users), count


def main(argv: list[str] | None = None) -> int:
    return converter_main(
        name="convert_movielens",
        description=__doc__.splitlines()[0],
        src_help="folder with movies.csv, ratings.csv",
        default_min_rating=4.0,
        convert=convert,
        argv=argv,
    )


if __name__ == "__main__":
    sys.exit(main())
