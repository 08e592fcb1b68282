"""Progress bars that stay readable when output goes to a log file instead of a terminal."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from typing import Any

from tqdm import tqdm

LOG_FILE_REFRESH_SECONDS = 15.0


def progress_bar(
    iterable: Iterable[Any] | None = None,
    *,
    total: int | None = None,
    desc: str,
    unit: str,
    enabled: bool = True,
) -> tqdm:
    """tqdm on stderr; redrawn every 15 s (not 10 times a second) when stderr is not a TTY."""
    interactive = sys.stderr.isatty()
    return tqdm(
        iterable,
        total=total,
        desc=desc,
        unit=unit,
        disable=not enabled,
        mininterval=0.1 if interactive else LOG_FILE_REFRESH_SECONDS,
    )
