"""The aggregates entries set aside after failing alone (`feed.aggregates.DEAD_KEY`): list,
summarise, put back on the queue, drop. The admin page and `manage.py aggregates_dead_letter`
use these."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from feed import state
from feed.aggregates import DEAD_KEY, QUEUE_KEY
from feed.taste_deltas import deltas_decode


def aggregates_dead_letter() -> list[bytes]:
    """The entries set aside, oldest first."""
    return list(state.redis_client().lrange(DEAD_KEY, 0, -1))


def aggregates_dead_letter_summaries() -> list[dict[str, Any]]:
    """What each set-aside entry would have updated, oldest first (the admin page and
    `manage.py aggregates_dead_letter` show these); an unreadable entry says so."""
    summaries: list[dict[str, Any]] = []
    for raw in aggregates_dead_letter():
        try:
            deltas = deltas_decode(raw)
            queued = json.loads(raw).get("t")
        except ValueError as exc:
            summaries.append({"queued_at": None, "version": f"unreadable: {exc}"})
            continue
        summaries.append(
            {
                "queued_at": dt.datetime.fromtimestamp(queued, tz=dt.UTC) if queued else None,
                "version": deltas.version,
                "users": sorted(deltas.users),
                "videos": sorted(deltas.stats),
                "pairs": len(deltas.pairs),
            }
        )
    return summaries


def aggregates_dead_letter_requeue() -> int:
    """Put the set-aside entries back on the queue (after fixing what made them fail)."""
    client = state.redis_client()
    moved = 0
    while client.lmove(DEAD_KEY, QUEUE_KEY, "LEFT", "RIGHT") is not None:
        moved += 1
    return moved


def aggregates_dead_letter_drop() -> int:
    """Forget the set-aside entries; returns how many there were."""
    client = state.redis_client()
    pipe = client.pipeline()
    pipe.llen(DEAD_KEY)
    pipe.delete(DEAD_KEY)
    count, _ = pipe.execute()
    return int(count)
