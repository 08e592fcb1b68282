"""Ranking maths (pure numpy): boosts, negative penalties, MMR with a creator cap, Thompson
sampling, trending score, co-engagement pairs."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np


def freshness_boost(age_hours: np.ndarray, half_life_hours: float = 48.0) -> np.ndarray:
    """1 for a video published now, 0.5 after one half-life, towards 0 for old ones."""
    age = np.maximum(np.asarray(age_hours, dtype=np.float64), 0.0)
    return np.power(0.5, age / half_life_hours)


def completion_rate(finishes: np.ndarray, exposures: np.ndarray, prior: float = 0.3) -> np.ndarray:
    """Smoothed completion (finishes + 2 prior) / (exposures + 2): new videos sit at the prior."""
    finishes = np.asarray(finishes, dtype=np.float64)
    exposures = np.maximum(np.asarray(exposures, dtype=np.float64), finishes)
    return (finishes + 2.0 * prior) / (exposures + 2.0)


def like_rate(likes: np.ndarray, views: np.ndarray, prior: float = 0.05) -> np.ndarray:
    likes = np.asarray(likes, dtype=np.float64)
    views = np.maximum(np.asarray(views, dtype=np.float64), likes)
    return (likes + 10.0 * prior) / (views + 10.0)


def quality_boost(
    finishes: np.ndarray, exposures: np.ndarray, likes: np.ndarray, views: np.ndarray
) -> np.ndarray:
    """Centred quality in about [-0.5, 1]: completion and like rate above their priors."""
    completion = completion_rate(finishes, exposures) - 0.3
    liking = like_rate(likes, views) - 0.05
    return completion + 2.0 * liking


def popularity_boost(finishes: np.ndarray, likes: np.ndarray) -> np.ndarray:
    """Popularity in [0, 1]: log(1 + finishes + likes), scaled by its maximum among these
    candidates (a page's tie-breaker between equally relevant videos, as item-kNN hybrids use)."""
    counts = np.log1p(np.asarray(finishes, dtype=np.float64) + np.asarray(likes, dtype=np.float64))
    peak = float(counts.max()) if counts.size else 0.0
    return counts / peak if peak > 0 else np.zeros_like(counts)


def negative_penalty(
    candidates: np.ndarray,
    negatives: np.ndarray,
    strengths: Sequence[float],
    near_duplicate_cosine: float,
    floor_cosine: float = 0.5,
) -> np.ndarray:
    """Score to subtract per candidate for resembling recent negatives (skips, not_interested).

    penalty = max_j strength_j * relu((cos(c, n_j) - floor) / (1 - floor)): only videos clearly
    like the rejected one are pushed down, not everything that shares the user's broad taste
    with it. A candidate that is a near duplicate
    (cosine >= near_duplicate_cosine) of a strong negative (strength >= 0.5) gets 10 more,
    which pushes it below every ordinary candidate.
    """
    if len(negatives) == 0 or len(candidates) == 0:
        return np.zeros(len(candidates), dtype=np.float64)
    strengths_array = np.asarray(strengths, dtype=np.float64)
    cosine = np.asarray(candidates, dtype=np.float64) @ np.asarray(negatives, dtype=np.float64).T
    closeness = np.maximum(cosine - floor_cosine, 0.0) / (1.0 - floor_cosine)
    penalty = (closeness * strengths_array[None, :]).max(axis=1)
    near_duplicate = ((cosine >= near_duplicate_cosine) & (strengths_array[None, :] >= 0.5)).any(
        axis=1
    )
    return penalty + 10.0 * near_duplicate


def mmr_select(
    scores: np.ndarray,
    vectors: np.ndarray,
    count: int,
    lambda_: float,
    creators: Sequence[int] | None = None,
    max_per_creator: int | None = None,
    creator_counts: dict[int, int] | None = None,
    selected_vectors: np.ndarray | None = None,
    duplicate_cosine: float | None = None,
) -> list[int]:
    """Maximal marginal relevance: repeatedly take argmax lambda*score - (1-lambda)*max cosine to
    what is already on the page, skipping creators that reached max_per_creator.

    `selected_vectors` are items already on the page (picked by another source) and
    `creator_counts` their creators, so a page assembled in parts respects one budget.
    With `duplicate_cosine`, a candidate that close to something on the page is only taken
    when nothing else is left. Returns indexes into `scores`, in pick order.
    """
    n = len(scores)
    if n == 0 or count <= 0:
        return []
    scores = np.asarray(scores, dtype=np.float64)
    vectors = np.asarray(vectors, dtype=np.float64)
    counts = dict(creator_counts or {})
    max_similarity = np.full(n, -np.inf)
    if selected_vectors is not None and len(selected_vectors):
        max_similarity = (vectors @ np.asarray(selected_vectors, dtype=np.float64).T).max(axis=1)
    available = np.ones(n, dtype=bool)
    picked: list[int] = []
    while len(picked) < count and available.any():
        redundancy = np.where(np.isfinite(max_similarity), max_similarity, 0.0)
        objective = lambda_ * scores - (1.0 - lambda_) * redundancy
        if duplicate_cosine is not None:
            objective = objective - 100.0 * (redundancy >= duplicate_cosine)
        objective = np.where(available, objective, -np.inf)
        best = int(np.argmax(objective))
        if not np.isfinite(objective[best]):
            break
        available[best] = False
        if creators is not None and max_per_creator is not None:
            creator = creators[best]
            if counts.get(creator, 0) >= max_per_creator:
                continue
            counts[creator] = counts.get(creator, 0) + 1
        picked.append(best)
        max_similarity = np.maximum(max_similarity, vectors @ vectors[best])
    if creator_counts is not None:
        creator_counts.clear()
        creator_counts.update(counts)
    return picked


def thompson_sample(
    finishes: np.ndarray, exposures: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """One draw per video from Beta(finishes + 1, exposures - finishes + 1): videos with good
    early completion win more often, unexposed ones still get their chance."""
    finishes = np.asarray(finishes, dtype=np.float64)
    exposures = np.maximum(np.asarray(exposures, dtype=np.float64), finishes)
    return rng.beta(finishes + 1.0, exposures - finishes + 1.0)


def trending_score(
    views: float,
    likes: float,
    shares: float,
    finishes: float,
    age_hours: float,
    recency_half_life_hours: float = 24.0,
) -> float:
    """Engagement velocity (time-decayed counts: views + 10 likes + 50 shares) times completion
    quality, times a recency boost that fades for older videos."""
    velocity = views + 10.0 * likes + 50.0 * shares
    completion = (finishes + 1.0) / (max(views, finishes) + 2.0)
    recency = 1.0 + math.pow(0.5, max(age_hours, 0.0) / recency_half_life_hours)
    return velocity * (0.5 + completion) * recency


def coengagement_pairs(recent_positive_ids: Sequence[int], video_id: int) -> list[tuple[int, int]]:
    """The pairs one new positive adds against the user's recent positives (distinct, not
    itself): bounded work per event. Each pair once, as (smaller id, larger id): the count is
    symmetric, so storing one direction halves the writes."""
    return [
        (min(video_id, other), max(video_id, other))
        for other in dict.fromkeys(recent_positive_ids)
        if other != video_id
    ]
