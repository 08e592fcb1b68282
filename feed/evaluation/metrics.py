"""Ranking-quality metrics for leave-last-out evaluation (pure numpy, no Django)."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence

import numpy as np


def hit_rank(recommended: Sequence[int], held_out: int, k: int) -> int | None:
    """1-based rank of the held-out item within the first k recommendations, or None."""
    for rank, item in enumerate(recommended[:k], start=1):
        if item == held_out:
            return rank
    return None


def recall_at_k(recommended: Sequence[int], held_out: int, k: int) -> float:
    """Recall@K with one relevant item: 1.0 when it is in the top k (the hit rate), else 0.0."""
    return 1.0 if hit_rank(recommended, held_out, k) is not None else 0.0


def ndcg_at_k(recommended: Sequence[int], held_out: int, k: int) -> float:
    """NDCG@K with one relevant item: 1 / log2(rank + 1) when hit (the ideal DCG is 1)."""
    rank = hit_rank(recommended, held_out, k)
    return 0.0 if rank is None else 1.0 / math.log2(rank + 1)


def catalogue_coverage(
    recommendation_lists: Iterable[Sequence[int]], k: int, catalogue_size: int
) -> float:
    """Share of the catalogue that appears in at least one user's top k."""
    if catalogue_size <= 0:
        return 0.0
    shown: set[int] = set()
    for recommended in recommendation_lists:
        shown.update(recommended[:k])
    return len(shown) / catalogue_size


def intra_list_diversity(vectors: np.ndarray) -> float | None:
    """Mean pairwise cosine distance (1 - cos) within one list; None for fewer than 2 items.

    Rows need not be normalised; zero rows count as orthogonal to everything.
    """
    vectors = np.asarray(vectors, dtype=np.float64)
    n = len(vectors)
    if n < 2:
        return None
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    unit = np.divide(vectors, norms, out=np.zeros_like(vectors), where=norms > 0)
    cosine = unit @ unit.T
    upper = cosine[np.triu_indices(n, k=1)]
    return float(np.mean(1.0 - upper))


def fresh_share(
    recommended: Sequence[int], k: int, fresh_items: set[int] | frozenset[int]
) -> float | None:
    """Share of the top k that are fresh items; None for an empty list."""
    top = recommended[:k]
    if not top:
        return None
    return sum(1 for item in top if item in fresh_items) / len(top)


def _mean(values: Iterable[float | None]) -> float:
    present = [v for v in values if v is not None]
    return float(np.mean(present)) if present else 0.0


def _mean_or_none(values: Iterable[float | None]) -> float | None:
    """The mean of the lists that have the measure; None (shown "-") when none has: an ILD of
    0.0 said "every list identical" of a method that made no list of two."""
    present = [v for v in values if v is not None]
    return float(np.mean(present)) if present else None


def method_metrics(
    *,
    recommendations: Mapping[int, Sequence[int]],
    held_out: Mapping[int, int],
    ks: Sequence[int],
    catalogue_size: int,
    item_vectors: Mapping[int, np.ndarray],
    fresh_items: set[int] | frozenset[int],
) -> dict[str, float | None]:
    """All metrics of one method over the evaluated users, keyed "recall@10", "ild@20", ...

    `recommendations` maps user -> ranked item ids; every user in `held_out` is evaluated
    (a user with no recommendations scores 0 recall/NDCG). ILD uses `item_vectors`.
    """
    users = list(held_out)
    result: dict[str, float | None] = {}
    for k in ks:
        lists = [list(recommendations.get(user, ()))[:k] for user in users]
        result[f"recall@{k}"] = _mean(
            recall_at_k(lst, held_out[user], k) for user, lst in zip(users, lists, strict=True)
        )
        result[f"ndcg@{k}"] = _mean(
            ndcg_at_k(lst, held_out[user], k) for user, lst in zip(users, lists, strict=True)
        )
        result[f"coverage@{k}"] = catalogue_coverage(lists, k, catalogue_size)
        result[f"ild@{k}"] = _mean_or_none(
            intra_list_diversity(np.array([item_vectors[i] for i in lst if i in item_vectors]))
            if len(lst) >= 2
            else None
            for lst in lists
        )
        result[f"fresh@{k}"] = _mean_or_none(fresh_share(lst, k, fresh_items) for lst in lists)
    return {key: None if value is None else round(value, 6) for key, value in result.items()}
