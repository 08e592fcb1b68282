"""The command line the dataset converters share (scripts/convert_*.py): --src, --out,
--min-rating; on bad input, exit 1 with one line naming the problem."""

from __future__ import annotations

import argparse
import csv
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
