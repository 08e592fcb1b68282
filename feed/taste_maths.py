"""Taste maths (pure numpy): what events add to a long-term taste, the session EMA, and the
long-term / session blend."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from tiktok.vectors import EPSILON, normalize


def weighted_total(
    vectors: np.ndarray | Sequence[np.ndarray], weights: Sequence[float]
) -> tuple[np.ndarray, float]:
    """(sum_i w_i e_i, sum_i w_i): what some events add to a long-term taste."""
    weights_array = np.asarray(weights, dtype=np.float32)
    vectors = np.asarray(vectors, dtype=np.float32).reshape(len(weights_array), -1)
    return (weights_array[:, None] * vectors).sum(0), float(weights_array.sum())


def taste_add(
    weighted_sum: np.ndarray, weight_total: float, delta_sum: np.ndarray, delta_weight: float
) -> tuple[np.ndarray, float, np.ndarray]:
    """S += dS, W += dW (the summed contribution of some events); returns (S, W, normalize(S/W)),
    all zero once W is no longer positive. Negative weights (an unlike or unsave) take their
    contribution back: once all evidence is withdrawn the taste is empty again."""
    new_sum = np.asarray(weighted_sum, dtype=np.float32) + np.asarray(delta_sum, dtype=np.float32)
    new_total = float(weight_total) + float(delta_weight)
    if new_total <= EPSILON:
        return np.zeros_like(new_sum), 0.0, np.zeros_like(new_sum)
    return new_sum, new_total, normalize(new_sum / new_total)


def ema_step(alpha: float, weight: float) -> float:
    """The EMA step for an event of weight w: 1 - (1 - alpha)^w (weight 2 = two alpha steps)."""
    return 1.0 - (1.0 - alpha) ** max(weight, 0.0)


def ema_update(
    current: np.ndarray | None, vector: np.ndarray, alpha: float, weight: float
) -> np.ndarray:
    """Session taste after one positive event: normalize((1-a) u_sess + a e); the first event
    sets u_sess = e."""
    vector = normalize(vector)
    if current is None or float(np.linalg.norm(current)) < EPSILON:
        return vector
    step = ema_step(alpha, weight)
    return normalize((1.0 - step) * np.asarray(current, dtype=np.float32) + step * vector)


def session_gamma(session_weight: float, k: float) -> float:
    """How much the session taste counts in the blend: W_sess / (W_sess + k), so one event with
    weight 1 and k = 4 moves only 20% of the way."""
    session_weight = max(float(session_weight), 0.0)
    return session_weight / (session_weight + k) if session_weight + k > 0 else 0.0


def blend(
    long_term: np.ndarray | None, session: np.ndarray | None, gamma: float
) -> np.ndarray | None:
    """u = normalize((1-g) u_long + g u_sess); whichever exists alone when the other is missing;
    None when neither carries any signal (cold start)."""
    has_long = long_term is not None and float(np.linalg.norm(long_term)) > EPSILON
    has_session = session is not None and float(np.linalg.norm(session)) > EPSILON
    if has_long and has_session:
        return normalize((1.0 - gamma) * normalize(long_term) + gamma * normalize(session))
    if has_long:
        return normalize(long_term)
    if has_session:
        return normalize(session)
    return None
