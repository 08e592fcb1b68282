"""Tag scoring maths: phrase pooling, calibration against a background, 0..K selection (numpy)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tiktok.vectors import normalize

POOLING_MEAN = "mean"
POOLING_MAX = "max"
POOLINGS = (POOLING_MEAN, POOLING_MAX)
# A tag whose background scores barely vary would turn noise into huge z-scores.
MIN_BACKGROUND_STD = 0.02


def mean_tag_vector(phrase_vectors: np.ndarray) -> np.ndarray:
    """A tag's vector: the normalised mean of its phrase vectors."""
    return normalize(np.asarray(phrase_vectors, dtype=np.float32).mean(axis=0))


@dataclass(frozen=True)
class TagMatrix:
    """Every scored tag's vectors for one embedding version, tags in a fixed order.

    phrase_vectors holds all phrase rows grouped by tag; starts[j] is tag j's first row.
    """

    mean_vectors: np.ndarray  # (T, D)
    phrase_vectors: np.ndarray  # (P, D)
    starts: np.ndarray  # (T,)

    @classmethod
    def build(cls, per_tag_phrase_vectors: list[np.ndarray]) -> TagMatrix:
        if not per_tag_phrase_vectors:
            raise ValueError("a tag matrix needs at least one tag")
        counts = [len(rows) for rows in per_tag_phrase_vectors]
        if min(counts) < 1:
            raise ValueError("every tag needs at least one phrase vector")
        phrases = np.vstack(per_tag_phrase_vectors).astype(np.float32)
        means = np.vstack([mean_tag_vector(rows) for rows in per_tag_phrase_vectors])
        starts = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int64)
        return cls(mean_vectors=means, phrase_vectors=phrases, starts=starts)

    @property
    def dim(self) -> int:
        return int(self.mean_vectors.shape[1])

    def __len__(self) -> int:
        return int(self.mean_vectors.shape[0])


def tag_scores(vectors: np.ndarray, tags: TagMatrix, pooling: str = POOLING_MEAN) -> np.ndarray:
    """Cosine scores (N videos x T tags) of unit vectors against each tag.

    mean: e . normalize(mean(phrases)); max: the best single phrase, max_p e . p.
    """
    vectors = np.atleast_2d(np.asarray(vectors, dtype=np.float32))
    if vectors.shape[1] != tags.dim:
        raise ValueError(f"vectors are {vectors.shape[1]}-d but tag vectors are {tags.dim}-d")
    if pooling == POOLING_MEAN:
        return vectors @ tags.mean_vectors.T
    if pooling == POOLING_MAX:
        return np.maximum.reduceat(vectors @ tags.phrase_vectors.T, tags.starts, axis=1)
    raise ValueError(f"unknown pooling {pooling!r}; expected one of {POOLINGS}")


def calibrate(scores: np.ndarray, background_scores: np.ndarray) -> np.ndarray:
    """z-score each tag's score against that tag's scores on the background (B x T)."""
    mean = background_scores.mean(axis=0)
    std = np.maximum(background_scores.std(axis=0), MIN_BACKGROUND_STD)
    return (scores - mean) / std


def select_tags(
    confidences: np.ndarray,
    *,
    max_tags: int,
    min_confidence: float,
    relative_floor: float = 0.0,
    distinct_min_confidence: float | None = None,
    distinct_margin: float = 0.0,
) -> list[int]:
    """Indices of the kept tags, best first: at most max_tags, each at least min_confidence and
    at least relative_floor x the best confidence (so one strong topic doesn't drag in K-1 weak
    neighbours). Below the threshold, a best tag that is still at least distinct_min_confidence
    and leads the runner-up by distinct_margin is kept alone: speech on one clear topic scores
    lower than the threshold more often than off-topic speech stands out from every tag like
    that (docs/tagging.md has the measurements). Otherwise no tags."""
    if max_tags <= 0 or confidences.size == 0:
        return []
    order = np.argsort(-confidences, kind="stable")
    best = float(confidences[order[0]])
    floor = max(min_confidence, relative_floor * best)
    kept = [int(j) for j in order[:max_tags] if confidences[j] >= floor]
    if kept or distinct_min_confidence is None or best < distinct_min_confidence:
        return kept
    if confidences.size < 2:
        # No runner-up to stand out from: with one tag the rule would keep it for any video
        # over distinct_min_confidence (about 7% of off-topic ones).
        return []
    runner_up = float(confidences[order[1]])
    return [int(order[0])] if best - runner_up >= distinct_margin else []
