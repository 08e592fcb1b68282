"""Synthetic catalogues and engagement logs with real structure (no Django).

Items belong to broad categories (vocabulary.CATEGORIES) with a skewed popularity. Users have
tastes that are mixtures over 1-3 categories, watch in sessions that focus on one category at
a time, and belong to a community whose members share a list of favourite items from all over
the catalogue - co-engagement that text similarity alone cannot see.

With an item lifetime (`lifetime_days` > 0) the catalogue also ages as short videos do: each
item is released at a random moment of the log's span (or of a back catalogue of 5 lifetimes
before it) and draws engagement in proportion to its
popularity times `exp(-age / lifetime)` (a community's favourites age the same way), so what a
viewer watches last is mostly recent and all-time popularity says little about it.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .vocabulary import CATEGORIES, TITLE_CLOSERS, TITLE_OPENERS

DATASET_START_UNIX_S = 1_700_000_000
DATASET_SPAN_DAYS = 60
SESSION_GAP_MEAN_S = 20 * 3600
WATCH_GAP_MEAN_S = 45
MEAN_SESSION_LENGTH = 4.0
COMMUNITY_SHARE = 0.3
USERS_PER_COMMUNITY = 400
COMMUNITY_FAVOURITES = 40


@dataclass(frozen=True)
class SyntheticItem:
    item_id: str
    title: str
    tags: tuple[str, ...]
    category: int


@dataclass(frozen=True)
class SyntheticInteraction:
    user_id: str
    item_id: str
    ts: int
    watch_ratio: float


def category_names() -> list[str]:
    return list(CATEGORIES)


def generate_items(n_items: int, rng: np.random.Generator) -> list[SyntheticItem]:
    """Items spread over categories (unequal sizes), each titled from its tags' words."""
    names = category_names()
    size_weights = rng.dirichlet(np.full(len(names), 3.0))
    categories = rng.choice(len(names), size=n_items, p=size_weights)
    items = []
    for index, category in enumerate(categories):
        name = names[category]
        tag_words = CATEGORIES[name]
        tag_names = list(tag_words)
        primary = tag_names[rng.integers(len(tag_names))]
        tags = [name, primary]
        if rng.random() < 0.4:
            other = tag_names[rng.integers(len(tag_names))]
            if other not in tags:
                tags.append(other)
        words = tag_words[primary]
        subject = words[rng.integers(len(words))]
        extra = tag_words[tags[-1]][rng.integers(len(tag_words[tags[-1]]))]
        opener = TITLE_OPENERS[rng.integers(len(TITLE_OPENERS))]
        closer = TITLE_CLOSERS[rng.integers(len(TITLE_CLOSERS))]
        title = " ".join(
            part
            for part in (
                opener,
                subject,
                "and" if extra != subject else "",
                extra if extra != subject else "",
                closer,
            )
            if part
        )
        if rng.random() < 0.08:  # a crossover tag from another category
            foreign = names[rng.integers(len(names))]
            if foreign != name:
                tags.append(list(CATEGORIES[foreign])[rng.integers(len(CATEGORIES[foreign]))])
        items.append(SyntheticItem(f"i{index}", title, tuple(tags), int(category)))
    return items


class _Sampler:
    """Popularity-weighted draws from a fixed set of items (inverse-CDF, O(log n))."""

    def __init__(self, members: np.ndarray, weights: np.ndarray) -> None:
        self.members = members
        self.cdf = np.cumsum(weights[members]) if len(members) else np.zeros(0)

    def draw(self, rng: np.random.Generator) -> int:
        position = np.searchsorted(self.cdf, rng.random() * self.cdf[-1], side="right")
        return int(self.members[min(position, len(self.members) - 1)])


class _AgingCatalogue:
    """Per day of the log and category, a sampler over the items released before that day
    began, weighted by popularity times exp(-age / lifetime) (ages beyond 5 lifetimes left
    out)."""

    def __init__(
        self,
        *,
        item_category: np.ndarray,
        popularity: np.ndarray,
        lifetime_days: float,
        rng: np.random.Generator,
    ) -> None:
        # Releases start a back catalogue (5 lifetimes) before the log does, so its first day
        # has videos out too.
        backlog_s = 5 * lifetime_days * 86400
        span_s = DATASET_SPAN_DAYS * 86400 + backlog_s
        self.lifetime_days = lifetime_days
        self.released = DATASET_START_UNIX_S - backlog_s + rng.random(len(popularity)) * span_s
        self.samplers: list[list[_Sampler]] = []
        n_categories = int(item_category.max()) + 1 if len(item_category) else 0
        for day in range(DATASET_SPAN_DAYS):
            day_start = DATASET_START_UNIX_S + day * 86400
            age_days = (day_start - self.released) / 86400
            alive = (age_days >= 0) & (age_days <= 5 * lifetime_days)
            weights = np.where(alive, popularity * np.exp(-age_days / lifetime_days), 0.0)
            self.samplers.append(
                [
                    _Sampler(np.flatnonzero(alive & (item_category == c)), weights)
                    for c in range(n_categories)
                ]
            )

    def favourite(self, members: np.ndarray, ts: int, rng: np.random.Generator) -> int | None:
        """One of a community's favourites, as the catalogue ages: those out at ts weighted by
        exp(-age / lifetime), or None when none is out and young."""
        age_days = (ts - self.released[members]) / 86400
        weights = np.where(
            (age_days >= 0) & (age_days <= 5 * self.lifetime_days),
            np.exp(-age_days / self.lifetime_days),
            0.0,
        )
        total = weights.sum()
        if total <= 0:
            return None
        position = np.searchsorted(np.cumsum(weights), rng.random() * total, side="right")
        return int(members[min(position, len(members) - 1)])

    def sampler(self, ts: int, category: int) -> _Sampler | None:
        """The category's sampler on the day of ts (days past the span use the last one), or
        None when nothing of that category is out yet."""
        day = min(max(0, (ts - DATASET_START_UNIX_S) // 86400), DATASET_SPAN_DAYS - 1)
        chosen = self.samplers[day][category]
        return chosen if len(chosen.members) else None


def generate_interactions(
    items: list[SyntheticItem],
    n_users: int,
    n_interactions: int,
    rng: np.random.Generator,
    *,
    lifetime_days: float = 0.0,
) -> list[SyntheticInteraction]:
    """About n_interactions positives (at least 2 per user) from n_users structured users; with
    lifetime_days > 0 items are released over the span and age (module docstring)."""
    n_categories = len(category_names())
    item_category = np.array([item.category for item in items])
    popularity = rng.lognormal(0.0, 1.2, size=len(items))
    by_category = [
        _Sampler(np.flatnonzero(item_category == c), popularity) for c in range(n_categories)
    ]
    by_category_ok = [len(s.members) > 0 for s in by_category]
    aging = (
        _AgingCatalogue(
            item_category=item_category,
            popularity=popularity,
            lifetime_days=lifetime_days,
            rng=rng,
        )
        if lifetime_days > 0
        else None
    )
    everything = _Sampler(np.arange(len(items)), popularity)

    n_communities = max(2, n_users // USERS_PER_COMMUNITY)
    community_homes = [
        rng.choice(n_categories, size=2, replace=False) for _ in range(n_communities)
    ]
    favourites = []
    for homes in community_homes:
        local = [
            by_category[c].draw(rng)
            for c in homes
            if by_category_ok[c]
            for _ in range(COMMUNITY_FAVOURITES * 3 // 8)
        ]
        anywhere = [everything.draw(rng) for _ in range(COMMUNITY_FAVOURITES // 4)]
        favourites.append(_Sampler(np.array(local + anywhere), np.ones(len(items))))

    activity = rng.lognormal(0.0, 0.9, size=n_users)
    extra = max(0, n_interactions - 2 * n_users)
    counts = 2 + rng.multinomial(extra, activity / activity.sum())

    rows: list[SyntheticInteraction] = []
    for user in range(n_users):
        community = int(rng.integers(n_communities))
        n_tastes = int(rng.integers(1, 4))
        tastes = list(community_homes[community][: max(1, n_tastes - 1)])
        while len(tastes) < n_tastes:
            tastes.append(int(rng.integers(n_categories)))
        tastes = [c for c in tastes if by_category_ok[c]] or [int(item_category[0])]
        mixture = rng.dirichlet(np.ones(len(tastes)))
        ts = DATASET_START_UNIX_S + int(rng.random() * DATASET_SPAN_DAYS * 86400)
        seen: set[int] = set()
        remaining = int(counts[user])
        while remaining > 0:
            focus = tastes[rng.choice(len(tastes), p=mixture)]
            session_length = min(remaining, 1 + rng.geometric(1 / MEAN_SESSION_LENGTH))
            for _ in range(session_length):
                for _attempt in range(4):
                    if rng.random() < COMMUNITY_SHARE:
                        if aging is None:
                            item = favourites[community].draw(rng)
                        else:
                            item = aging.favourite(favourites[community].members, ts, rng)
                        if item is not None:
                            if item not in seen:
                                break
                            continue
                    current = aging.sampler(ts, focus) if aging is not None else None
                    if aging is None:
                        item = by_category[focus].draw(rng)
                    elif current is not None:
                        item = current.draw(rng)
                    else:  # nothing of this category out yet: the oldest of it
                        members = by_category[focus].members
                        item = int(members[np.argmin(aging.released[members])])
                    if item not in seen:
                        break
                seen.add(item)
                ratio = 1.0 if rng.random() < 0.4 else round(float(rng.uniform(0.45, 1.0)), 2)
                rows.append(SyntheticInteraction(f"u{user}", items[item].item_id, ts, ratio))
                ts += 5 + int(rng.exponential(WATCH_GAP_MEAN_S))
            remaining -= session_length
            ts += int(rng.exponential(SESSION_GAP_MEAN_S))
    return rows


def write_dataset(
    directory: Path | str,
    items: list[SyntheticItem],
    interactions: list[SyntheticInteraction],
) -> tuple[Path, Path]:
    """Write items.csv and interactions.csv (the evaluate_feed input format)."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    items_path, interactions_path = directory / "items.csv", directory / "interactions.csv"
    with items_path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["item_id", "title", "tags"])
        for item in items:
            writer.writerow([item.item_id, item.title, "|".join(item.tags)])
    with interactions_path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["user_id", "item_id", "timestamp", "watch_ratio"])
        for row in interactions:
            writer.writerow([row.user_id, row.item_id, row.ts, f"{row.watch_ratio:g}"])
    return items_path, interactions_path


def generate_dataset(
    directory: Path | str,
    *,
    n_items: int,
    n_users: int,
    n_interactions: int,
    seed: int = 0,
    lifetime_days: float = 0.0,
) -> tuple[Path, Path]:
    rng = np.random.default_rng(seed)
    items = generate_items(n_items, rng)
    interactions = generate_interactions(
        items, n_users, n_interactions, rng, lifetime_days=lifetime_days
    )
    return write_dataset(directory, items, interactions)
