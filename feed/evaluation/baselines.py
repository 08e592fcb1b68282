"""Reference recommenders the engine is compared with: random, popularity, content-only."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from scipy import sparse


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


# Item kNN: cosine between items' sets of users, with shrinkage so that two items a handful of
# users share do not look identical (Sarwar et al. 2001; the shrunk cosine of Koren 2008).
ITEMKNN_SHRINK = 10.0
# Pairs are generated from at most this many of a user's latest items (L^2 pairs per user).
ITEMKNN_MAX_HISTORY = 200
# The hybrid baseline: normalised item-kNN, content (cosine to the mean history vector) and
# popularity scores, weighted. Fixed, not tuned on the evaluation data (docs/feed-quality.md).
HYBRID_WEIGHTS = {"itemknn": 0.6, "content": 0.3, "popularity": 0.1}


class ItemKnn:
    """Item-to-item co-occurrence kNN over training histories.

    `similarity(i, j) = c_ij / (sqrt(n_i) * sqrt(n_j) + shrink)` where c_ij counts users who
    engaged with both and n_i users who engaged with i: the square roots normalise away
    popularity, the shrink term discounts pairs seen by few users. A user's score for item j is
    the sum of j's similarities to the user's history.

    The co-occurrence counts are the sparse product `X.T @ X` of the user-by-item matrix, so
    memory grows with the number of distinct item pairs, not with the sum over users of their
    squared history lengths (a heavy user's 200 items are 40,000 pairs).
    """

    def __init__(
        self,
        histories: dict[int, Sequence[int]],
        *,
        n_items: int,
        shrink: float = ITEMKNN_SHRINK,
        max_history: int = ITEMKNN_MAX_HISTORY,
    ) -> None:
        self.n_items = n_items
        user_rows: list[np.ndarray] = []
        item_columns: list[np.ndarray] = []
        for items in histories.values():
            unique = np.unique(np.asarray(list(items)[-max_history:], dtype=np.int64))
            if unique.size:
                user_rows.append(np.full(unique.size, len(user_rows), dtype=np.int64))
                item_columns.append(unique)
        rows = np.concatenate(user_rows) if user_rows else np.zeros(0, dtype=np.int64)
        columns = np.concatenate(item_columns) if item_columns else np.zeros(0, dtype=np.int64)
        engaged = sparse.csr_matrix(
            (np.ones(rows.size, dtype=np.int32), (rows, columns)),
            shape=(len(user_rows), n_items),
        )
        users_per_item = np.bincount(columns, minlength=n_items).astype(np.float64)
        together = (engaged.T.tocsr() @ engaged).tocsr()
        together.setdiag(0)
        together.eliminate_zeros()
        together.sort_indices()
        # Row slices: row i's neighbours are cols[starts[i]:starts[i + 1]], ascending.
        # Platform-width indices: scoring's np.add.at is several times slower on int32 ones.
        self.starts = together.indptr.astype(np.intp)
        self.cols = together.indices.astype(np.intp)
        norms = np.sqrt(users_per_item)
        item_rows = np.repeat(np.arange(n_items), np.diff(self.starts))
        self.weights = together.data / (norms[item_rows] * norms[self.cols] + shrink)
        self.users_per_item = users_per_item

    def scores(self, history: Sequence[int]) -> np.ndarray:
        """A score per item (dense, n_items) for a user with this history."""
        result = np.zeros(self.n_items, dtype=np.float64)
        for item in set(int(i) for i in history):
            if 0 <= item < self.n_items:
                start, end = self.starts[item], self.starts[item + 1]
                np.add.at(result, self.cols[start:end], self.weights[start:end])
        return result


def top_k_excluding(scores: np.ndarray, *, exclude: set[int], k: int) -> list[int]:
    """Indices of the k highest positive scores, excluded ones left out, best first."""
    masked = scores.copy()
    if exclude:
        masked[np.fromiter(exclude, dtype=np.int64)] = -np.inf
    count = min(k, len(masked))
    if count == 0:
        return []
    top = np.argpartition(-masked, count - 1)[:count]
    top = top[np.argsort(-masked[top], kind="stable")]
    return [int(i) for i in top if masked[i] > 0]


def _unit_max(values: np.ndarray) -> np.ndarray:
    """Scale to at most 1 (by the maximum), negatives clipped: comparable across sources."""
    clipped = np.clip(values, 0.0, None)
    peak = float(clipped.max()) if clipped.size else 0.0
    return clipped / peak if peak > 0 else clipped


def hybrid_scores(
    *,
    knn_scores: np.ndarray,
    content_scores: np.ndarray | None,
    popularity: np.ndarray,
    weights: dict[str, float] = HYBRID_WEIGHTS,
) -> np.ndarray:
    """Weighted sum of the three sources, each scaled to [0, 1] for this user."""
    total = weights["itemknn"] * _unit_max(knn_scores) + weights["popularity"] * _unit_max(
        np.log1p(popularity)
    )
    if content_scores is not None:
        total = total + weights["content"] * _unit_max(content_scores)
    return total
