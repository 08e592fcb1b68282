"""Pure taste maths: incremental S/W, session EMA, blend."""

import numpy as np
import pytest

from feed.taste_maths import blend, ema_update, session_gamma, taste_add, weighted_total
from tiktok.vectors import normalize


def taste_accumulate(s, w, vectors, weights):  # noqa: ANN001, ANN202
    """What the aggregates flush does with some events: S += sum w e, W += sum w."""
    return taste_add(s, w, *weighted_total(vectors, weights))


def weighted_mean(vectors, weights):  # noqa: ANN001, ANN202
    weights = np.asarray(weights, dtype=np.float32)
    return normalize((weights[:, None] * np.asarray(vectors)).sum(0) / weights.sum())


def test_incremental_accumulation_equals_one_batch():
    rng = np.random.default_rng(0)
    vectors = rng.normal(size=(6, 4)).astype(np.float32)
    weights = [1.0, 2.0, 1.5, 3.0, 1.0, 2.5]
    s, w = np.zeros(4, dtype=np.float32), 0.0
    for vector, weight in zip(vectors, weights, strict=True):
        s, w, step_vector = taste_accumulate(s, w, vector[None, :], [weight])
    _, batch_w, batch_vector = taste_accumulate(np.zeros(4), 0.0, vectors, weights)
    assert w == pytest.approx(batch_w)
    assert np.allclose(step_vector, batch_vector, atol=1e-5)
    assert np.allclose(batch_vector, weighted_mean(vectors, weights), atol=1e-5)


def test_negative_weight_withdraws_contribution_and_never_goes_below_zero():
    like = np.array([[1.0, 0.0]])
    s, w, _ = taste_accumulate(np.zeros(2), 0.0, like, [2.0])
    s, w, vector = taste_accumulate(s, w, like, [-2.0])
    assert w == 0.0
    assert vector.tolist() == [0.0, 0.0]
    _, w, _ = taste_accumulate(s, w, like, [-2.0])
    assert w == 0.0


def test_ema_first_event_sets_taste_and_later_events_move_it_partially():
    first = ema_update(None, np.array([1.0, 0.0]), alpha=0.3, weight=1.0)
    assert first.tolist() == [1.0, 0.0]
    second = ema_update(first, np.array([0.0, 1.0]), alpha=0.3, weight=1.0)
    assert 0 < second[1] < second[0]


def test_heavier_event_moves_session_taste_further():
    start = np.array([1.0, 0.0])
    light = ema_update(start, np.array([0.0, 1.0]), alpha=0.3, weight=1.0)
    heavy = ema_update(start, np.array([0.0, 1.0]), alpha=0.3, weight=3.0)
    assert heavy[1] > light[1]


def test_session_gamma_grows_with_evidence_and_stays_below_one():
    gammas = [session_gamma(w, 4.0) for w in (0.0, 1.0, 4.0, 40.0)]
    assert gammas[0] == 0.0
    assert gammas == sorted(gammas)
    assert gammas[1] < 0.25
    assert gammas[-1] < 1.0


def test_blend_mixes_long_and_session_and_handles_missing_parts():
    long_term, session = np.array([1.0, 0.0]), np.array([0.0, 1.0])
    mixed = blend(long_term, session, 0.2)
    assert mixed[0] > mixed[1] > 0
    assert blend(None, session, 0.5).tolist() == [0.0, 1.0]
    assert blend(long_term, None, 0.5).tolist() == [1.0, 0.0]
    assert blend(None, None, 0.5) is None
