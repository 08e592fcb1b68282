"""evaluate_feed --simulate: synthetic viewers with hidden tastes driven through the live feed.

Each viewer's hidden taste is a mixture over broad tag categories; shown a page, they watch a
video with a probability rising with its similarity to that taste (else they skip within 2 s).
After a few pages their interest switches to a category they did not like before. Events go
through `interactions_record` and pages come from `feed_page`, so the session taste, negative
feedback and exploration are all exercised. Reported: hit rate (share of served videos watched)
and how many interactions after the switch the feed needs until half a page is in the new
interest.
"""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import UTC, datetime

import numpy as np

from feed.evaluation import catalogue
from feed.evaluation.progress import progress_bar
from feed.evaluation.vocabulary import CATEGORIES, tag_category
from feed.selectors import feed_page
from feed.services import interactions_record
from profiles.models import User
from tiktok.vectors import normalize

PAGE_SIZE = 10
PAGES_BEFORE_SWITCH = 3
MAX_PAGES_AFTER_SWITCH = 8
WATCH_PROBABILITY_FLOOR = 0.03
WATCH_PROBABILITY_CEILING = 0.95
WATCH_PROBABILITY_SHARPNESS = 8.0
SKIP_WATCH_MS = 1000
FALLBACK_CATEGORIES = 20


def item_categories(item_tags: list[tuple[str, ...]]) -> tuple[list[str], list[set[int]]]:
    """Interest categories and each item's memberships: the vocabulary's broad categories when
    they cover most items, else the most common tags."""
    known = tag_category()
    names = list(CATEGORIES)
    index = {name: i for i, name in enumerate(names)}
    members = []
    for tags in item_tags:
        cats = {index[known[t]] for t in tags if t in known} | {
            index[t] for t in tags if t in index
        }
        members.append(cats)
    if sum(1 for m in members if m) >= 0.5 * len(members):
        return names, members
    common = [
        tag
        for tag, _ in Counter(t for tags in item_tags for t in tags).most_common(
            FALLBACK_CATEGORIES
        )
    ]
    index = {tag: i for i, tag in enumerate(common)}
    return common, [{index[t] for t in tags if t in index} for tags in item_tags]


def soft_usable_categories(item_tags: list[tuple[str, ...]]) -> list[int]:
    """The categories (`item_categories`) with a page of items or more; ValueError naming the
    problem when fewer than two: the soft viewer needs an interest to switch to (with none it
    failed after minutes of embedding and training; with one it "switched" to the interest it
    had, and reported a perfect adaptation)."""
    names, members = item_categories(item_tags)
    usable = [c for c in range(len(names)) if sum(1 for m in members if c in m) >= PAGE_SIZE]
    if len(usable) < 2:
        raise ValueError(
            f"the soft viewer needs two categories of >= {PAGE_SIZE} items (the tags of "
            f"items.csv); found {len(usable)}"
        )
    return usable


def watch_probabilities(taste: np.ndarray, vectors: np.ndarray) -> np.ndarray:
    """Per item: floor + (ceiling - floor) * percentile(similarity)^sharpness - rising with
    similarity, so only the items closest to the taste are likely to be watched."""
    similarity = vectors @ taste
    ranks = np.empty(len(similarity))
    ranks[np.argsort(similarity)] = np.arange(len(similarity)) / max(len(similarity) - 1, 1)
    span = WATCH_PROBABILITY_CEILING - WATCH_PROBABILITY_FLOOR
    return WATCH_PROBABILITY_FLOOR + span * ranks**WATCH_PROBABILITY_SHARPNESS


def simulate(*, loaded, n_users: int, seed: int, progress: bool = True) -> dict:  # noqa: ANN001
    """Run n_users synthetic viewers; returns the summary that goes into report.json."""

    rng = np.random.default_rng(seed + 7)
    video_ids = loaded.video_ids
    position = {int(v): i for i, v in enumerate(video_ids)}
    vectors = np.stack([loaded.vectors[int(v)] for v in video_ids])
    names, members = item_categories(loaded.item_tags)
    by_category = [np.flatnonzero([c in m for m in members]) for c in range(len(names))]
    usable = soft_usable_categories(loaded.item_tags)
    centroids = {c: normalize(vectors[by_category[c]].mean(axis=0)) for c in usable}

    ids = catalogue.users_create([f"simulated-{i}" for i in range(n_users)])
    users = User.objects.in_bulk(list(ids.values()))
    served = watched = served_after = watched_after = 0
    needed: list[int] = []
    not_adapted = 0
    random_hit = []
    for i in progress_bar(range(n_users), desc="simulate", unit="viewer", enabled=progress):
        user = users[ids[f"simulated-{i}"]]
        session_id = f"simulation-{i}"
        # Two liked interests, or one when there are only two: one is left to switch to.
        liked = rng.choice(usable, size=min(2, len(usable) - 1), replace=False)
        mixture = rng.dirichlet(np.ones(len(liked)))
        taste = normalize(sum(w * centroids[c] for w, c in zip(mixture, liked, strict=True)))
        probabilities = watch_probabilities(taste, vectors)
        random_hit.append(float(probabilities.mean()))
        others = [c for c in usable if c not in liked]
        new_interest = int(rng.choice(others))
        cursor = None
        after_switch = 0  # interactions sent since the switch
        adapted = None
        for page_number in range(PAGES_BEFORE_SWITCH + MAX_PAGES_AFTER_SWITCH):
            switched = page_number >= PAGES_BEFORE_SWITCH
            if page_number == PAGES_BEFORE_SWITCH:
                probabilities = watch_probabilities(centroids[new_interest], vectors)
            page = feed_page(viewer=user, session_id=session_id, cursor=cursor, limit=PAGE_SIZE)
            items = [int(card["id"]) for card in page["items"]]
            cursor = page["next_cursor"]
            if switched and adapted is None:
                matching = sum(1 for v in items if new_interest in members[position[v]])
                if items and matching * 2 >= len(items):
                    adapted = after_switch
                    needed.append(after_switch)
            events = []
            for rank, video_id in enumerate(items):
                watch = rng.random() < probabilities[position[video_id]]
                events.append(
                    {
                        "event_id": str(uuid.uuid4()),
                        "video_id": video_id,
                        "type": "finish" if watch else "skip",
                        "watch_ms": int(catalogue.VIDEO_DURATION_S * 1000)
                        if watch
                        else SKIP_WATCH_MS,
                        "position": rank,
                        "session_id": session_id,
                        "ts": datetime.now(UTC).isoformat(),
                    }
                )
                served += 1
                watched += watch
                if switched:
                    served_after += 1
                    watched_after += watch
            if events:
                interactions_record(user=user, session_id=session_id, events=events)
            if switched:
                after_switch += len(events)
            if adapted is not None or not cursor:
                break
        if adapted is None:
            not_adapted += 1
    return {
        "viewers": n_users,
        "page_size": PAGE_SIZE,
        "pages_before_switch": PAGES_BEFORE_SWITCH,
        "hit_rate": round(watched / max(served, 1), 4),
        "hit_rate_after_switch": round(watched_after / max(served_after, 1), 4),
        "random_page_hit_rate": round(float(np.mean(random_hit)) if random_hit else 0.0, 4),
        "interactions_to_adapt_median": float(np.median(needed)) if needed else None,
        "interactions_to_adapt_mean": round(float(np.mean(needed)), 2) if needed else None,
        "adapted_share": round(len(needed) / max(n_users, 1), 4),
        "not_adapted_within": MAX_PAGES_AFTER_SWITCH * PAGE_SIZE,
        "categories": len(usable),
    }
