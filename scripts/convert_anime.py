"""Convert the anime ratings sample (anime_info.dat + anime_ratings.dat) to evaluate_feed's format.

    python scripts/convert_anime.py --src anime --out var/datasets/anime

The data: the "Anime Recommendations Database" (Kaggle, CooperUnion; MyAnimeList users'
ratings), in the 5,000-user sample of caserec/Datasets-for-Recommender-Systems
("Processed Datasets/Anime/anime.zip": tab-separated files with a header row). Real ratings,
romanized titles (mostly Japanese words in Latin letters, not English) and several genres per
title. It never enters this repository: bring your own copy.

- items.csv `item_id,title,tags`: `a<id>`, the title (HTML entities decoded), and the genres
  with the title's coarse category first - its least common genre in the catalogue (the most
  specific one: "Mecha" rather than "Action"). Titles without genres, and adult ones (genre
  "Hentai"), are left out.
- interactions.csv `user_id,item_id,timestamp`: one row per rating of at least --min-rating
  (default 8 of 10), each a positive. The files carry no time: the timestamp is the row's
  position in the ratings file, so "the last interaction" of leave-last-out is the user's last
  row there, an arbitrary but fixed choice that every method shares.

Exits 1 with one line naming the problem when an input is missing or malformed.
"""

from __future__ import annotations

import csv
import html
import sys
from collections import Counter
from pathlib import Path

# Run as a file or loaded by path: the shared command line sits beside this script.
sys.path.insert(0, str(Path(__file__).resolve().parent))
from dataset_cli import columns_check, converter_main  # noqa: E402

EXCLUDED_GENRES = frozenset({"Hentai"})


def convert(src: Path, out: Path, min_rating: float) -> tuple[int, int, int]:
    """Write items.csv and interactions.csv; returns (items, users, interactions)."""
    info_path, ratings_path = src / "anime_info.dat", src / "anime_ratings.dat"
    for path in (info_path, ratings_path):
        if not path.is_file():
            raise ValueError(f"{path} is missing (want the anime sample's folder)")
    titles: dict[str, tuple[str, list[str]]] = {}
    with info_path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle, delimiter="\t")
        columns_check(reader, info_path, ("anime_ids", "genre", "name"), kind="tab-separated ")
        for row in reader:
            genres = [g.strip() for g in (row["genre"] or "").split(",") if g.strip()]
            title = html.unescape((row["name"] or "").strip())
            if genres and title and not EXCLUDED_GENRES & set(genres):
                titles[(row["anime_ids"] or "").strip()] = (title, genres)
    frequency = Counter(g for _, genres in titles.values() for g in genres)
    out.mkdir(parents=True, exist_ok=True)
    with (out / "items.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["item_id", "title", "tags"])
        for anime_id, (title, genres) in titles.items():
            category = min(genres, key=lambda g: (frequency[g], g))
            tags = [category, *(g for g in genres if g != category)]
            writer.writerow([f"a{anime_id}", title, "|".join(tags)])
    users: set[str] = set()
    count = 0
    with (
        ratings_path.open(newline="", encoding="utf-8") as source,
        (out / "interactions.csv").open("w", newline="", encoding="utf-8") as handle,
    ):
        reader = csv.DictReader(source, delimiter="\t")
        columns_check(
            reader, ratings_path, ("Anime_ID", "Feedback", "User_ID"), kind="tab-separated "
        )
        writer = csv.writer(handle)
        writer.writerow(["user_id", "item_id", "timestamp"])
        for line, row in enumerate(reader, start=2):
            try:
                rating = float(row["Feedback"])
            except (TypeError, ValueError) as exc:
                raise ValueError(f"{ratings_path}:{line}: bad rating {row['Feedback']!r}") from exc
            anime_id = (row["Anime_ID"] or "").strip()
            if rating < min_rating or anime_id not in titles:
                continue
            user = (row["User_ID"] or "").strip()
            writer.writerow([f"u{user}", f"a{anime_id}", line])
            users.add(user)
            count += 1
    return len(titles), len(users), count


def main(argv: list[str] | None = None) -> int:
    return converter_main(
        name="convert_anime",
        description=__doc__.splitlines()[0],
        src_help="folder with anime_info.dat, anime_ratings.dat",
        default_min_rating=8.0,
        convert=convert,
        argv=argv,
    )


if __name__ == "__main__":
    sys.exit(main())
