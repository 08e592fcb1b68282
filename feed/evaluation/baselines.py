"""Reference recommenders the engine is compared with: random, popularity, content-only."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np


def random_recommend(
    *, catalogue: np.ndarray, history: set[int], k: int, rng: np.random.Generator
) -> list[int]:
    """k distinct catalogue items not in the history, uniformly at random."""
    draw = min(len(catalogue), k + len(history))
    picks = rng.choice(catalogue, size=draw, replace=False)
    return [int(item) for item in picks if int(item) not in history][:k]


def popularity_ranking(training_items: Sequence[int]) -> list[int]:
    """Items by number of training engagements, most first (ties: lower id first)."""
    ids, counts = np.unique(np.asarray(training_items, dtype=np.int64), return_counts=True)
    order = np.lexsort((ids, -counts))
    return [int(i) for i in ids[order]]


def popularity_recommend(*, ranking: Sequence[int], history: set[int], k: int) -> list[int]:
    """The k most engaged-with items the user has not engaged with yet."""
    picks: list[int] = []
    for item in ranking:
        if item not in history:
            picks.append(item)
            if len(picks) == k:
                break
    return picks


def content_query(history_vectors: np.ndarray) -> np.ndarray | None:
    """The content-only user vector: the normalised mean of the history's embeddings."""
    if len(history_vectors) == 0:
        return None
    mean = np.asarray(history_vectors, dtype=np.float64).mean(axis=0)
    norm = np.linalg.norm(mean)
    return None if norm < 1e-9 else (mean / norm).astype(np.float32)


def content_recommend(
    *,
    history_vectors: np.ndarray,
    history: set[int],
    k: int,
    nearest: Callable[[np.ndarray, int], list[int]],
) -> list[int]:
    """Nearest neighbours of the mean history vector, history excluded.

    `nearest(query, limit)` returns item ids nearest first (pgvector in evaluate_feed).
    """
    query = content_query(history_vectors)
    if query is None:
        return []
    return [item for item in nearest(query, k + len(history)) if item not in history][:k]
