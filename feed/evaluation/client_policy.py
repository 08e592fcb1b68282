"""The web client's feed policy, as the simulation drives it (one documented policy).

Mirrors `static/js/feed.js` and `static/js/signals.js`: pages of PAGE_SIZE cards; the next page
is requested when the viewer reaches one of the last LOAD_MORE_WHEN_LEFT queued cards (with the
events sent so far, not the ones still queued); cards already shown are dropped from a new page;
events are queued and sent every FLUSH_INTERVAL_S of viewing (or at MAX_BATCH_EVENTS). Change
both sides together.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

PAGE_SIZE = 8  # feed.js PAGE_SIZE
LOAD_MORE_WHEN_LEFT = 3  # feed.js LOAD_MORE_WHEN_LEFT
FLUSH_INTERVAL_S = 4.0  # signals.js FLUSH_INTERVAL_MS
MAX_BATCH_EVENTS = 25  # signals.js MAX_BATCH_EVENTS


@dataclass
class Watch:
    """What the viewer did with one card: seconds spent and the events it produced."""

    seconds: float
    events: list[dict]


@dataclass
class SimulatedClient:
    """Pulls pages with `fetch(cursor) -> (video ids, next cursor)`, shows cards one at a time
    and delivers events with `send(events)`, on the web client's schedule."""

    fetch: Callable[[str | None], tuple[list[int], str | None]]
    send: Callable[[list[dict]], None]
    queue: list[int] = field(default_factory=list)
    shown: list[int] = field(default_factory=list)
    cursor: str | None = None
    exhausted: bool = False
    _pending: list[dict] = field(default_factory=list)
    _since_flush_s: float = 0.0
    _started: bool = False

    def _load_more(self) -> None:
        if self.exhausted:
            return
        items, self.cursor = self.fetch(self.cursor)
        already = set(self.shown) | set(self.queue)
        self.queue.extend(item for item in items if item not in already)
        if not items or self.cursor is None:
            self.exhausted = True

    def flush(self) -> None:
        if self._pending:
            self.send(self._pending)
            self._pending = []
        self._since_flush_s = 0.0

    def next_card(self) -> int | None:
        """The next card to show (None when the feed has nothing more)."""
        if not self._started:
            self._started = True
            self._load_more()
        if not self.queue:
            self._load_more()
            if not self.queue:
                return None
        if len(self.queue) <= LOAD_MORE_WHEN_LEFT:
            self._load_more()
        card = self.queue.pop(0)
        self.shown.append(card)
        return card

    def watched(self, watch: Watch) -> None:
        """Queue the card's events and flush on the signals.js schedule."""
        self._pending.extend(watch.events)
        self._since_flush_s += watch.seconds
        if self._since_flush_s >= FLUSH_INTERVAL_S or len(self._pending) >= MAX_BATCH_EVENTS:
            self.flush()
