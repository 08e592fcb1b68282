"""Vector maths shared by every app (pure numpy): unit length, one way.

A zero (or numerically zero) vector stays zero rather than raising: callers treat "no
direction" as "no signal". The embedder service keeps its own stricter normaliser (it refuses a
zero model output as a bug) because it is deployed on its own and imports nothing of Django's.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

EPSILON = 1e-9


def normalize(vector: Sequence[float] | np.ndarray) -> np.ndarray:
    """The float32 unit vector in the direction of `vector` (a zero vector stays zero)."""
    array = np.asarray(vector, dtype=np.float32)
    norm = float(np.linalg.norm(array))
    if norm < EPSILON:
        return np.zeros_like(array)
    return array / norm


def normalize_rows(matrix: np.ndarray) -> np.ndarray:
    """Each row of a float32 matrix scaled to unit length (zero rows stay zero)."""
    matrix = np.asarray(matrix, dtype=np.float32)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return np.where(norms < EPSILON, 0.0, matrix / np.maximum(norms, EPSILON)).astype(np.float32)
