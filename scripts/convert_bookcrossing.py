"""Convert the Book-Crossing history sample (items_info.dat + book_history.dat) to evaluate_feed's
format.

    python scripts/convert_bookcrossing.py --src book_crossing --out var/datasets/bookcrossing

The data: Book-Crossing (Ziegler et al., WWW 2005; a 2004 crawl of bookcrossing.com, free for
research use when acknowledged), as cleaned in caserec/Datasets-for-Recommender-Systems
("Processed Datasets/BookCrossing/book_crossing.zip": tab-separated files with a header row;
users with at least 20 books, books with at least 10 readers). 17,384 books with (mostly
English) titles, 2,946 users, 272,679 accesses. It never enters this repository: bring your own
copy.

- items.csv `item_id,title,tags`: `b<id>` and the book's title (HTML entities decoded). The files
  name no genre, so `tags` is empty: this catalogue measures ranking (leave-last-out), not the
  category viewer.
- interactions.csv `user_id,item_id,timestamp`: one row per access whose value is at least
  --min-rating (default 1: every access), each a positive. The files carry no time: the
  timestamp is the row's line in the history file, so "the last interaction" of leave-last-out
  is the user's last row there, an arbitrary but fixed choice every method shares.

Exits 1 with one line naming the problem when an input is missing or malformed.
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a file or loaded by path: the shared command line sits beside this script.
sys.path.insert(0, str(Path(__file__).resolve().parent))
from dataset_cli import ImplicitCatalogue, implicit_main  # noqa: E402

CATALOGUE = ImplicitCatalogue(
    items_file="items_info.dat",
    item_columns=("Book_ID", "Book-Title"),
    interactions_file="book_history.dat",
    interaction_columns=("user", "item", "accessed"),
    prefix="b",
)


def main(argv: list[str] | None = None) -> int:
    return implicit_main(name="convert_bookcrossing", doc=__doc__, catalogue=CATALOGUE, argv=argv)


if __name__ == "__main__":
    sys.exit(main())
