"""evaluate_feed --simulate N --viewer category: a strict viewer on the served stream.

The viewer's interest is one category of the items (the vocabulary's broad categories, or the
dataset's most common tags: a real catalogue's coarse category column). A card in the interest
is watched to the end (and liked with LIKE_PROBABILITY); anything else is skipped within a
second. After INTERACTIONS_BEFORE_SWITCH interactions the interest switches to the category this
viewer has been shown least. The viewer uses the web client's policy
(feed/evaluation/client_policy.py), so what is measured is what a screen would show.

Measured on the stream of shown cards, not on page boundaries: interactions after the switch
until at least ADAPT_HITS of the next ADAPT_WINDOW cards shown are in the new interest
(censored at MAX_INTERACTIONS_AFTER_SWITCH: a viewer who never gets there counts as that many);
hit rates before and after the switch; and the same count for a new viewer's first interest.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

import numpy as np

from feed.evaluation import catalogue
from feed.evaluation.client_policy import PAGE_SIZE, SimulatedClient, Watch
from feed.evaluation.progress import progress_bar
from feed.selectors import feed_page
from feed.services import interactions_record
from profiles.models import User

INTERACTIONS_BEFORE_SWITCH = 30
MAX_INTERACTIONS_AFTER_SWITCH = 100
MAX_COLD_INTERACTIONS = 60
ADAPT_WINDOW = 10
ADAPT_HITS = 5
LIKE_PROBABILITY = 0.3
SKIP_SECONDS = 0.8
MIN_CATEGORY_ITEMS = 10  # a category must be able to fill the measuring window
MAX_CATEGORIES = 60


def coarse_categories(item_tags: Sequence[tuple[str, ...]]) -> tuple[list[str], list[int]]:
    """One category per item: its first tag among the MAX_CATEGORIES most common first tags
    (-1 when it has none of them)."""
    firsts = [tags[0] if tags else "" for tags in item_tags]
    common = [tag for tag, _ in Counter(t for t in firsts if t).most_common(MAX_CATEGORIES)]
    index = {tag: i for i, tag in enumerate(common)}
    return common, [index.get(tag, -1) for tag in firsts]


def usable_categories(names: Sequence[str], category_of_item: Sequence[int]) -> list[int]:
    """Of coarse_categories' (names, category of each item): the categories with at least
    MIN_CATEGORY_ITEMS items; ValueError naming the problem when fewer than two: the viewer
    needs an interest to switch to."""
    sizes = Counter(c for c in category_of_item if c >= 0)
    usable = [c for c in range(len(names)) if sizes[c] >= MIN_CATEGORY_ITEMS]
    if len(usable) < 2:
        raise ValueError(
            f"the category viewer needs two categories of >= {MIN_CATEGORY_ITEMS} items "
            f"(each item's first tag in items.csv); found {len(usable)}"
        )
    return usable


def catalogue_large_enough(items: int) -> None:
    """ValueError when the catalogue cannot show a viewer the cards before the switch and a
    measuring window after it (each card is shown once a session): on 24 items the warm
    viewer saw every card before the switch and none after, and "never adapted" was
    reported."""
    needed = INTERACTIONS_BEFORE_SWITCH + ADAPT_WINDOW
    if items < needed:
        raise ValueError(
            f"the category viewer needs a catalogue of >= {needed} items "
            f"({INTERACTIONS_BEFORE_SWITCH} cards before the switch, {ADAPT_WINDOW} after); "
            f"found {items}"
        )


def interactions_to_adapt(in_interest: Sequence[bool], *, cap: int) -> int:
    """Cards shown before the first window of ADAPT_WINDOW cards with at least ADAPT_HITS in
    the interest; `cap` when no complete window qualifies."""
    hits = np.asarray(in_interest, dtype=np.int64)
    if len(hits) < ADAPT_WINDOW:
        return cap
    windows = np.convolve(hits, np.ones(ADAPT_WINDOW, dtype=np.int64), mode="valid")
    found = np.flatnonzero(windows >= ADAPT_HITS)
    return int(min(found[0], cap)) if found.size else cap


def viewer_rng(seed: int, kind: str, index: int) -> np.random.Generator:
    """The random stream of one simulated viewer ("warm" or "cold", by index). Each viewer has
    their own: what one does (how many likes it drew) does not change which interests the next
    one gets, so two versions of the feed are measured on the same viewers."""
    return np.random.default_rng([seed, {"warm": 11, "cold": 12}[kind], index])


def _event(session_id: str, video_id: int, kind: str, watch_ms: int, position: int) -> dict:
    """One client event as the web client sends it."""
    return {
        "event_id": str(uuid.uuid4()),
        "video_id": video_id,
        "type": kind,
        "watch_ms": watch_ms,
        "position": position,
        "session_id": session_id,
        "ts": datetime.now(UTC).isoformat(),
    }


class _Viewer:
    """One simulated viewer: the client, the feed and the events of what they watch."""

    def __init__(
        self, user: User, session_id: str, rng: np.random.Generator, *, replan: bool = True
    ) -> None:
        self.user = user
        self.session_id = session_id
        self.rng = rng

        def fetch(cursor: str | None, release: list[int]) -> tuple[list[int], str | None]:
            page = feed_page(
                viewer=user,
                session_id=session_id,
                cursor=cursor,
                limit=PAGE_SIZE,
                release=release,
            )
            return [int(card["id"]) for card in page["items"]], page["next_cursor"]

        def send(events: list[dict]) -> None:
            interactions_record(user=user, session_id=session_id, events=events)

        self.client = SimulatedClient(fetch=fetch, send=send, replan=replan)

    def view(self, video_id: int, position: int, *, liked_topic: bool) -> Watch:
        def event(kind: str, watch_ms: int) -> dict:
            return _event(self.session_id, video_id, kind, watch_ms, position)

        if not liked_topic:
            return Watch(SKIP_SECONDS, [event("skip", int(SKIP_SECONDS * 1000))])
        seconds = catalogue.VIDEO_DURATION_S
        events = [event("finish", int(seconds * 1000))]
        if self.rng.random() < LIKE_PROBABILITY:
            events.append(event("like", 0))
        return Watch(seconds, events)


def simulate_category(*, loaded, n_users: int, seed: int, progress: bool = True) -> dict:  # noqa: ANN001
    """Run n_users warm viewers (interest switch) and n_users cold ones (first interest)."""
    names, category_of_item = coarse_categories(loaded.item_tags)
    position = {int(v): i for i, v in enumerate(loaded.video_ids)}
    usable = usable_categories(names, category_of_item)

    def category(video_id: int) -> int:
        return category_of_item[position[video_id]]

    ids = catalogue.users_create(
        [f"category-warm-{i}" for i in range(n_users)]
        + [f"category-cold-{i}" for i in range(n_users)]
    )
    users = User.objects.in_bulk(list(ids.values()))
    adapt: list[int] = []
    shown_after: list[int] = []  # cards each warm viewer was shown after the switch
    cold: list[int] = []
    before_hits = before_shown = after_hits = after_shown = 0
    changes: list[tuple[float, float, float]] = []
    for i in progress_bar(range(n_users), desc="category viewers", unit="viewer", enabled=progress):
        # A warm viewer: one interest, then a switch to what they were shown least.
        rng = viewer_rng(seed, "warm", i)
        viewer = _Viewer(users[ids[f"category-warm-{i}"]], f"category-warm-{i}", rng)
        interest = int(rng.choice(usable))
        shown_categories: Counter[int] = Counter()
        in_new: list[bool] = []
        for step in range(INTERACTIONS_BEFORE_SWITCH + MAX_INTERACTIONS_AFTER_SWITCH):
            if step == INTERACTIONS_BEFORE_SWITCH:
                viewer.client.flush()
                least = min(shown_categories[c] for c in usable if c != interest)
                candidates = [c for c in usable if c != interest and shown_categories[c] == least]
                interest = int(rng.choice(candidates))
            video_id = viewer.client.next_card()
            if video_id is None:
                break
            hit = category(video_id) == interest
            shown_categories[category(video_id)] += 1
            if step < INTERACTIONS_BEFORE_SWITCH:
                before_shown += 1
                before_hits += hit
            else:
                after_shown += 1
                after_hits += hit
                in_new.append(hit)
            viewer.client.watched(viewer.view(video_id, step, liked_topic=hit))
        viewer.client.flush()
        adapt.append(interactions_to_adapt(in_new, cap=MAX_INTERACTIONS_AFTER_SWITCH))
        shown_after.append(len(in_new))
        change = _page_change_after_like(viewer.user, f"category-warm-{i}-again", category)
        if change is not None:
            changes.append(change)

        # A cold viewer: no history, one interest from the first card.
        rng = viewer_rng(seed, "cold", i)
        newcomer = _Viewer(users[ids[f"category-cold-{i}"]], f"category-cold-{i}", rng)
        first_interest = int(rng.choice(usable))
        in_first: list[bool] = []
        for step in range(MAX_COLD_INTERACTIONS):
            video_id = newcomer.client.next_card()
            if video_id is None:
                break
            hit = category(video_id) == first_interest
            in_first.append(hit)
            newcomer.client.watched(newcomer.view(video_id, step, liked_topic=hit))
        newcomer.client.flush()
        cold.append(interactions_to_adapt(in_first, cap=MAX_COLD_INTERACTIONS))

    # Viewers the feed ran out of cards for before a measuring window after the switch tell
    # nothing of adaptation: left out, and the figures null when no viewer is left.
    values = np.asarray(
        [value for value, shown in zip(adapt, shown_after, strict=True) if shown >= ADAPT_WINDOW],
        dtype=np.float64,
    )
    measured = len(values) > 0

    def share(condition: np.ndarray) -> float | None:
        return round(float(np.mean(condition)), 4) if measured else None

    return {
        "viewers": n_users,
        "categories": len(usable),
        "interactions_before_switch": INTERACTIONS_BEFORE_SWITCH,
        "censored_at": MAX_INTERACTIONS_AFTER_SWITCH,
        "viewers_measured": len(values),
        "adapt_median": float(np.median(values)) if measured else None,
        "adapt_p90": round(float(np.percentile(values, 90)), 2) if measured else None,
        "adapted_within_20": share(values <= 20),
        "adapted_within_30": share(values <= 30),
        "adapted_within_50": share(values <= 50),
        "hit_rate_before": round(before_hits / before_shown, 4) if before_shown else None,
        "hit_rate_after": round(after_hits / after_shown, 4) if after_shown else None,
        "cold_first_interest_median": float(np.median(np.asarray(cold, dtype=np.float64))),
        "cold_censored_at": MAX_COLD_INTERACTIONS,
        **_change_summary(changes),
    }


def _page_change_after_like(
    user: User, session_id: str, category: Callable[[int], int]
) -> tuple[float, float, float] | None:
    """A warm viewer opens a new session; on its first page they like the card of the
    category rarest on that page (one of the first PAGE_SIZE - 2), and the client re-plans.
    Returns (share of the continuation not in the original rest of the page, share of the
    liked card's category in that rest, and in the continuation); None for a page too short."""
    first = feed_page(viewer=user, session_id=session_id, cursor=None, limit=PAGE_SIZE)
    ids = [int(card["id"]) for card in first["items"]]
    if len(ids) < 4 or first["next_cursor"] is None:
        return None
    categories = [category(v) for v in ids]
    liked = min(range(len(ids) - 2), key=lambda j: (categories.count(categories[j]), j))
    interactions_record(
        user=user,
        session_id=session_id,
        events=[_event(session_id, ids[liked], "like", 0, liked)],
    )
    rest = ids[liked + 1 :]
    again = feed_page(
        viewer=user,
        session_id=session_id,
        cursor=first["next_cursor"],
        limit=PAGE_SIZE,
        release=rest,
    )
    continuation = [int(card["id"]) for card in again["items"]][: len(rest)]
    if not continuation:
        return None
    liked_category = categories[liked]
    changed = sum(1 for v in continuation if v not in rest) / len(continuation)
    before = sum(1 for v in rest if category(v) == liked_category) / len(rest)
    after = sum(1 for v in continuation if category(v) == liked_category) / len(continuation)
    return changed, before, after


def _change_summary(changes: list[tuple[float, float, float]]) -> dict:
    """The warm first-page measures (see `_page_change_after_like`), averaged over viewers."""
    if not changes:  # the keys, null: a report reader finds every documented key
        return dict.fromkeys(
            (
                "warm_page_change_after_like",
                "warm_page_flipped_to_liked",
                "warm_liked_category_share_before",
                "warm_liked_category_share_after",
            )
        )
    values = np.asarray(changes, dtype=np.float64)
    return {
        "warm_page_change_after_like": round(float(values[:, 0].mean()), 4),
        # A flip: the liked card's category took over half the continuation or more.
        "warm_page_flipped_to_liked": round(float(np.mean(values[:, 2] >= 0.5)), 4),
        "warm_liked_category_share_before": round(float(values[:, 1].mean()), 4),
        "warm_liked_category_share_after": round(float(values[:, 2].mean()), 4),
    }
