"""Convert the Steam purchases sample (item_info.dat + game_purchase.dat) to evaluate_feed's format.

    python scripts/convert_steam.py --src steam --out var/datasets/steam

The data: Kaggle's "Steam Video Games" (Tamber; public Steam profiles' purchases and play
hours), as organised in caserec/Datasets-for-Recommender-Systems
("Processed Datasets/Steam/steam.zip": tab-separated files with a header row). 5,155 games with
English titles, 12,393 users, 129,511 purchases. It never enters this repository: bring your own
copy.

- items.csv `item_id,title,tags`: `g<id>` and the game's name. The files name no genre, so
  `tags` is empty: this catalogue measures ranking (leave-last-out), not the category viewer.
- interactions.csv `user_id,item_id,timestamp`: one row per purchase whose value is at least
  --min-rating (default 1: every purchase), each a positive. The files carry no time: the
  timestamp is the row's line in the purchases file, so "the last interaction" of
  leave-last-out is the user's last row there, an arbitrary but fixed choice every method shares.

Exits 1 with one line naming the problem when an input is missing or malformed.
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a file or loaded by path: the shared command line sits beside this script.
sys.path.insert(0, str(Path(__file__).resolve().parent))
from dataset_cli import ImplicitCatalogue, implicit_main  # noqa: E402

CATALOGUE = ImplicitCatalogue(
    items_file="item_info.dat",
    item_columns=("Game_ID", "Game Name"),
    interactions_file="game_purchase.dat",
    interaction_columns=("User_ID", "Game_ID", "Purchase"),
    prefix="g",
)


def main(argv: list[str] | None = None) -> int:
    return implicit_main(name="convert_steam", doc=__doc__, catalogue=CATALOGUE, argv=argv)


if __name__ == "__main__":
    sys.exit(main())
