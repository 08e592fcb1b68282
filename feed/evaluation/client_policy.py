"""The web client's feed policy, as the simulation drives it (one documented policy).

Mirrors `static/js/feed.js`, `static/js/feed_pager.js` and `static/js/signals.js`:

- pages of PAGE_SIZE cards; the next page is requested when the viewer reaches one of the last
  LOAD_MORE_WHEN_LEFT queued cards; cards already shown or queued are dropped from a new page;
- events are queued and sent every FLUSH_INTERVAL_S of viewing (or at MAX_BATCH_EVENTS);
- re-planning: after a strong signal - a like, a first finish, "not interested", or
  FAST_SKIP_RUN fast skips in a row (each under FAST_SKIP_MS) - the client sends its queued
  events at once and asks for a fresh continuation (`GET /api/feed?cursor=...&release=...`),
  keeping the next KEEP_QUEUED cards (already buffering) and replacing the rest of its queue;
  the replaced cards are named in `release`, so the server takes them out of the session's
  served set (they were never shown, and may come back later).

Change both sides together.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

PAGE_SIZE = 8  # feed.js PAGE_SIZE
LOAD_MORE_WHEN_LEFT = 3  # feed.js LOAD_MORE_WHEN_LEFT
KEEP_QUEUED = 1  # feed.js KEEP_ON_REPLAN: queued cards a re-plan keeps (already buffering)
FAST_SKIP_RUN = 3  # feed.js FAST_SKIP_RUN
FAST_SKIP_MS = 2000  # signals.js SKIP_WITHIN_MS
FLUSH_INTERVAL_S = 4.0  # signals.js FLUSH_INTERVAL_MS
MAX_BATCH_EVENTS = 25  # signals.js MAX_BATCH_EVENTS
STRONG_TYPES = frozenset({"like", "finish", "not_interested"})


@dataclass
class Watch:
    """What the viewer did with one card: seconds spent and the events it produced."""

    seconds: float
    events: list[dict]


def is_strong(events: Sequence[dict], fast_skips: int) -> tuple[bool, int]:
    """(whether this card's events call for a re-plan, the fast-skip run after them)."""
    strong = False
    for event in events:
        if event["type"] in STRONG_TYPES:
            strong, fast_skips = True, 0
        elif event["type"] == "skip" and event.get("watch_ms", 0) < FAST_SKIP_MS:
            fast_skips += 1
            if fast_skips >= FAST_SKIP_RUN:
                strong, fast_skips = True, 0
        elif event["type"] in ("skip", "pause"):  # watched for a while (feed.js sends "pause")
            fast_skips = 0
    return strong, fast_skips


@dataclass
class SimulatedClient:
    """Pulls pages with `fetch(cursor, release) -> (video ids, next cursor)`, shows cards one at
    a time and delivers events with `send(events)`, on the web client's schedule."""

    fetch: Callable[[str | None, list[int]], tuple[list[int], str | None]]
    send: Callable[[list[dict]], None]
    replan: bool = True  # False: the policy before re-planning (pages only)
    queue: list[int] = field(default_factory=list)
    shown: list[int] = field(default_factory=list)
    cursor: str | None = None
    exhausted: bool = False
    replans: int = 0
    _pending: list[dict] = field(default_factory=list)
    _since_flush_s: float = 0.0
    _started: bool = False
    _fast_skips: int = 0

    def _load_more(self, release: list[int] | None = None) -> None:
        if self.exhausted:
            return
        items, self.cursor = self.fetch(self.cursor, release or [])
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
        """Queue the card's events; flush on the signals.js schedule; re-plan after a strong
        signal."""
        self._pending.extend(watch.events)
        self._since_flush_s += watch.seconds
        strong, self._fast_skips = is_strong(watch.events, self._fast_skips)
        if strong and self.replan and not self.exhausted:
            self.flush()
            kept, released = self.queue[:KEEP_QUEUED], self.queue[KEEP_QUEUED:]
            self.queue = kept
            self.replans += 1
            self._load_more(release=released)
            return
        if self._since_flush_s >= FLUSH_INTERVAL_S or len(self._pending) >= MAX_BATCH_EVENTS:
            self.flush()
