"""make_feed_dataset's aging catalogue (--item-lifetime-days): no item is watched before it is
released, what is watched is young, and an item's engagement is bunched in its lifetime."""

from __future__ import annotations

from io import StringIO

import numpy as np
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from feed.evaluation.synthetic import (
    DATASET_SPAN_DAYS,
    DATASET_START_UNIX_S,
    _AgingCatalogue,
    generate_interactions,
    generate_items,
)


def _log(lifetime_days: float):
    rng = np.random.default_rng(11)
    items = generate_items(1500, rng)
    rows = generate_interactions(items, 2000, 14000, rng, lifetime_days=lifetime_days)
    return items, rows


def _median_engagement_spread_days(rows) -> float:
    """Over items with 4+ engagements, the median spread (interquartile, days) of their times."""
    times: dict[str, list[int]] = {}
    for row in rows:
        times.setdefault(row.item_id, []).append(row.ts)
    spreads = [
        float(np.subtract(*np.percentile(ts, [75, 25]))) / 86400
        for ts in times.values()
        if len(ts) >= 4
    ]
    return float(np.median(spreads))


def test_items_are_watched_after_release_and_young() -> None:
    # The releases as generate_interactions draws them: same seed, same draws before them.
    rng = np.random.default_rng(11)
    items = generate_items(1500, rng)
    popularity = rng.lognormal(0.0, 1.2, size=len(items))
    category = np.array([item.category for item in items])
    released = _AgingCatalogue(
        item_category=category, popularity=popularity, lifetime_days=3.0, rng=rng
    ).released
    index = {item.item_id: i for i, item in enumerate(items)}
    _, rows = _log(3.0)

    ages_days = np.array([(row.ts - released[index[row.item_id]]) / 86400 for row in rows])
    in_span = np.array([row.ts < DATASET_START_UNIX_S + DATASET_SPAN_DAYS * 86400 for row in rows])
    # Favourites are checked against the release; a category with nothing out yet falls back
    # to its oldest item, which can be out a few hours later on the first day only.
    assert np.mean(ages_days[in_span] >= 0) > 0.99
    assert np.median(ages_days[in_span]) < 6.0  # uniform releases over 60 days: about 20


def test_an_items_engagement_is_bunched_in_its_lifetime() -> None:
    _, static = _log(0.0)
    _, aging = _log(3.0)
    # Without aging an item is watched all over the 60 days (quartiles ~30 days apart).
    assert _median_engagement_spread_days(static) > 15
    assert _median_engagement_spread_days(aging) < 5


def test_a_negative_lifetime_is_refused(tmp_path) -> None:
    with pytest.raises(CommandError, match="--item-lifetime-days must be >= 0"):
        call_command(
            "make_feed_dataset", out=str(tmp_path), item_lifetime_days=-1, stdout=StringIO()
        )
