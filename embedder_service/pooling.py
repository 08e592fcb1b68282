"""Pure vector maths for embeddings: normalisation, Matryoshka truncation, pooling, combining."""

from __future__ import annotations

import math

import numpy as np

# Below this norm a vector carries no direction: treat it as absent instead of dividing by ~0.
MIN_NORM = 1e-12


class DegenerateVectorError(ValueError):
    """A vector (or pool of vectors) has no direction: zero norm, NaN or infinity."""


def l2_normalize(vector: np.ndarray) -> np.ndarray:
    """Return `vector` scaled to unit L2 length as float32; raise if it has no direction."""
    vec = np.asarray(vector, dtype=np.float64)
    if vec.ndim != 1 or vec.size == 0:
        raise DegenerateVectorError(f"expected a non-empty 1-d vector, got shape {vec.shape}")
    if not np.all(np.isfinite(vec)):
        raise DegenerateVectorError("vector contains NaN or infinity")
    norm = float(np.linalg.norm(vec))
    if not math.isfinite(norm):
        # finite components whose squares overflow: scale down first (exact in direction)
        vec = vec / np.abs(vec).max()
        norm = float(np.linalg.norm(vec))
    if norm < MIN_NORM:
        raise DegenerateVectorError("vector has zero length")
    return (vec / norm).astype(np.float32)


def l2_normalize_rows(matrix: np.ndarray) -> np.ndarray:
    """Normalise every row of a 2-d array to unit length (float32)."""
    rows = np.asarray(matrix)
    if rows.ndim != 2:
        raise DegenerateVectorError(f"expected a 2-d array, got shape {rows.shape}")
    return np.stack([l2_normalize(row) for row in rows]) if len(rows) else rows.astype(np.float32)


def truncate_matryoshka(vector: np.ndarray, dim: int) -> np.ndarray:
    """Keep the first `dim` components of a Matryoshka embedding and renormalise."""
    vec = np.asarray(vector)
    if dim <= 0:
        raise ValueError(f"dim must be positive, got {dim}")
    if vec.shape[-1] < dim:
        raise ValueError(f"vector has {vec.shape[-1]} components, cannot truncate to {dim}")
    return l2_normalize(vec[:dim])


def mean_pool(vectors: np.ndarray) -> np.ndarray:
    """Pool per-frame embeddings into one: `normalize(mean(e_i))`."""
    rows = np.asarray(vectors, dtype=np.float64)
    if rows.ndim != 2 or rows.shape[0] == 0:
        raise DegenerateVectorError(f"expected a non-empty 2-d array, got shape {rows.shape}")
    return l2_normalize(rows.mean(axis=0))


def combine_weighted(parts: list[tuple[np.ndarray | None, float]]) -> np.ndarray:
    """Return `normalize(sum(w_i * e_i))` over the parts that exist (None parts are skipped).

    Skipping a missing part and renormalising gives the same direction as giving the present
    parts all the weight, so a video without speech is still comparable with one that has it.
    """
    present = [(np.asarray(v, dtype=np.float64), weight) for v, weight in parts if v is not None]
    if not present:
        raise DegenerateVectorError("no part to combine")
    for _, weight in present:
        if not math.isfinite(weight) or weight < 0:
            raise ValueError(f"weights must be finite and non-negative, got {weight}")
    largest = max(weight for _, weight in present)
    if largest <= 0:
        raise DegenerateVectorError("the parts that exist all have weight zero")
    # Weights only matter relative to each other: scaled to at most 1, so huge ones (1e308)
    # cannot overflow the sum into infinities that normalise to a zero vector.
    total = sum((weight / largest) * vec for vec, weight in present)
    return l2_normalize(total)


def cosine(a: np.ndarray, b: np.ndarray) -> float:
    """Cosine similarity of two vectors (dot product when both are unit length)."""
    return float(np.dot(l2_normalize(a), l2_normalize(b)))
