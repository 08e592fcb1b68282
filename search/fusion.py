"""Reciprocal rank fusion of several rankings (pure: no Django)."""

from __future__ import annotations

from collections.abc import Sequence


def rrf_scores(rankings: Sequence[Sequence[int]], k: int) -> dict[int, float]:
    """Each id's fused score: the sum over rankings of 1 / (k + rank), rank counted from 1."""
    scores: dict[int, float] = {}
    for ranking in rankings:
        for rank, item in enumerate(ranking, start=1):
            scores[item] = scores.get(item, 0.0) + 1.0 / (k + rank)
    return scores


def rrf_fuse(rankings: Sequence[Sequence[int]], k: int) -> list[int]:
    """The ids of all rankings, best fused score first; ties keep the order of first sight
    (earlier rankings, then earlier ranks), so the result is deterministic."""
    scores = rrf_scores(rankings, k)
    first_seen = {item: index for index, item in enumerate(scores)}
    return sorted(scores, key=lambda item: (-scores[item], first_seen[item]))
