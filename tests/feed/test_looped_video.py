"""A video left looping (the web client sends a `rewatch` at each loop) is one rewatch in the
viewer's long-term taste, ever: an hour of loops took over the taste for good (its weight grew
by 2 per loop and the long-term taste never decays)."""

from __future__ import annotations

import numpy as np
import pytest

from feed.aggregates import aggregates_flush
from feed.models import TasteProfile
from feed.services import interactions_record
from feed.taste import taste_weights
from feed.taste_rebuild import taste_profiles_rebuild
from tests.factories import TEST_EMBEDDING_VERSION, UserFactory
from tests.feed.factories import axis, cluster, event, video_with_vector

pytestmark = pytest.mark.django_db


def _taste(user) -> tuple[np.ndarray, float]:  # noqa: ANN001
    row = TasteProfile.objects.get(user=user, embedding_version=TEST_EMBEDDING_VERSION)
    return np.asarray(row.vector, dtype=np.float64), row.weight_total


def _record(user, events) -> None:  # noqa: ANN001
    for start in range(0, len(events), 100):
        interactions_record(user=user, session_id="s", events=events[start : start + 100])
    aggregates_flush()


def test_an_hour_of_loops_is_one_rewatch_in_the_long_term_taste():
    user = UserFactory()
    interest = cluster(1, 30)
    _record(user, [event(video, "finish", 20_000) for video in interest])
    _, before = _taste(user)
    looped = video_with_vector(axis(5))
    loops = [event(looped, "finish", 20_000)]
    loops += [event(looped, "rewatch", 20_000 * (n + 2)) for n in range(178)]
    _record(user, loops[:90])  # over several requests, as a client flushes its batches
    _record(user, loops[90:])
    _record(user, [event(looped, "rewatch", 20_000)])  # another day, looped again

    taste, after = _taste(user)

    weights = taste_weights()
    assert after == pytest.approx(before + weights.finish + weights.rewatch)
    assert taste[1] > taste[5]  # still the viewer of the 30, not of the looped one


def test_a_taste_rebuilt_from_the_log_counts_the_first_rewatch_alone():
    user = UserFactory()
    video = video_with_vector(axis(2))
    _record(user, [event(video, "finish", 20_000)] + [event(video, "rewatch") for _ in range(20)])
    _, recorded = _taste(user)

    taste_profiles_rebuild(version=TEST_EMBEDDING_VERSION)

    _, rebuilt = _taste(user)
    assert rebuilt == pytest.approx(recorded)
    assert rebuilt == pytest.approx(taste_weights().finish + taste_weights().rewatch)
