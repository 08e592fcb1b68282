"""Graded ranking metrics for the search evaluation (pure: no Django)."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence


def ndcg_at_k(ranked: Sequence[str], relevance: Mapping[str, int], k: int) -> float:
    """Normalised discounted cumulative gain with graded relevance (gain 2^rel - 1)."""
    gains = [
        (2 ** relevance.get(item, 0) - 1) / math.log2(rank + 2)
        for rank, item in enumerate(ranked[:k])
    ]
    ideal_grades = sorted(relevance.values(), reverse=True)[:k]
    ideal = sum((2**grade - 1) / math.log2(rank + 2) for rank, grade in enumerate(ideal_grades))
    return sum(gains) / ideal if ideal > 0 else 0.0


def recall_at_k(ranked: Sequence[str], relevance: Mapping[str, int], k: int) -> float:
    """Share of the best-graded relevant items found in the top k, out of at most k (so a
    query with hundreds of relevant items can still reach 1)."""
    if not relevance:
        return 0.0
    best = max(relevance.values())
    wanted = {item for item, grade in relevance.items() if grade == best}
    found = sum(1 for item in ranked[:k] if item in wanted)
    return found / min(k, len(wanted))
