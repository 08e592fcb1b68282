"""Extra exploration candidates that apps above the feed register (the discover app's challenge
videos): they compete for the page's existing exploration slots, never for a quota of their own.

A source is a function returning video ids (cheap: it runs on every personalised page, so it
should read a list it keeps in Redis or in memory, not run a query); a failing source is logged
and skipped, never the page's failure. The planner (`feed.page_plan`) offers the best-scoring
extra candidate beside the next category arm on each "explore" turn of the exploration slots.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

logger = logging.getLogger(__name__)

# Candidates taken per page from all registered sources together.
EXPLORATION_EXTRA_MAX = 30

ExplorationSource = Callable[[], Sequence[int]]
_sources: dict[str, ExplorationSource] = {}


def exploration_source_register(name: str, source: ExplorationSource) -> None:
    """Add (or replace) a source of exploration candidates; called from an app's
    AppConfig.ready()."""
    _sources[name] = source


def exploration_source_unregister(name: str) -> None:
    _sources.pop(name, None)


def exploration_extra(excluded: set[int]) -> list[int]:
    """The registered sources' candidates not excluded, in registration order, at most
    EXPLORATION_EXTRA_MAX (visibility is checked with every other candidate's facts)."""
    picked: dict[int, None] = {}
    for name, source in list(_sources.items()):
        try:
            ids = list(source())
        except Exception:  # noqa: BLE001 - one source's failure must not fail the page
            logger.exception("exploration source %s failed", name)
            continue
        for video_id in ids:
            video_id = int(video_id)
            if video_id not in excluded:
                picked.setdefault(video_id, None)
            if len(picked) >= EXPLORATION_EXTRA_MAX:
                return list(picked)
    return list(picked)
