"""Extra exploration candidates that apps above the feed register (the discover app's challenge
videos): they compete for the page's existing exploration slots, never for a quota of their own.

A source is either a Redis key holding a list the app keeps up to date, with a function that
parses its value (`exploration_list_register`: the page reads the key in the same round trip as
the viewer's feed state, at no extra cost), or a function returning video ids
(`exploration_source_register`: cheap, as it runs on every personalised page - a list in memory,
never a query). A failing source is logged and skipped, never the page's failure. The planner
(`feed.page_plan`) offers the best-scoring extra candidate beside the next category arm on each
"explore" turn of the exploration slots.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

from feed.state import redis_client

logger = logging.getLogger(__name__)

# Candidates taken per page from all registered sources together.
EXPLORATION_EXTRA_MAX = 30

ExplorationSource = Callable[[], Sequence[int]]
ExplorationParse = Callable[[bytes | None], Sequence[int]]
_sources: dict[str, ExplorationSource | tuple[str, ExplorationParse]] = {}


def exploration_source_register(name: str, source: ExplorationSource) -> None:
    """Add (or replace) a source of exploration candidates; called from an app's
    AppConfig.ready()."""
    _sources[name] = source


def exploration_list_register(name: str, *, key: str, parse: ExplorationParse) -> None:
    """Add (or replace) a source that is a Redis value (`parse(value)` gives its video ids;
    the value is None while the key does not exist), read with the page's feed state."""
    _sources[name] = (key, parse)


def exploration_source_unregister(name: str) -> None:
    _sources.pop(name, None)


def exploration_keys() -> list[str]:
    """The Redis keys of the registered list sources (for the page's one Redis round trip)."""
    return [source[0] for source in _sources.values() if isinstance(source, tuple)]


def exploration_extra(
    excluded: set[int], stored: dict[str, bytes | None] | None = None
) -> list[int]:
    """The registered sources' candidates not excluded, in registration order, at most
    EXPLORATION_EXTRA_MAX (visibility is checked with every other candidate's facts).
    `stored`: the values of `exploration_keys()`, read by the caller; a key missing from it is
    read here."""
    picked: dict[int, None] = {}
    for name, source in list(_sources.items()):
        try:
            if isinstance(source, tuple):
                key, parse = source
                value = stored[key] if stored is not None and key in stored else _read(key)
                ids = list(parse(value))
            else:
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


def _read(key: str) -> bytes | None:
    return redis_client().get(key)
