"""The pure maths of the embedding recipe: normalise, truncate, pool, combine."""

from __future__ import annotations

import numpy as np
import pytest

from embedder_service.pooling import (
    DegenerateVectorError,
    combine_weighted,
    cosine,
    l2_normalize,
    mean_pool,
    truncate_matryoshka,
)


def test_l2_normalize_gives_unit_float32_vector_with_same_direction() -> None:
    vec = l2_normalize(np.array([3.0, 4.0]))
    assert vec.dtype == np.float32
    assert np.allclose(vec, [0.6, 0.8])


def test_l2_normalize_refuses_zero_vector() -> None:
    with pytest.raises(DegenerateVectorError):
        l2_normalize(np.zeros(8))


def test_l2_normalize_refuses_nan() -> None:
    with pytest.raises(DegenerateVectorError):
        l2_normalize(np.array([1.0, np.nan]))


def test_truncate_matryoshka_keeps_prefix_and_renormalises() -> None:
    full = np.array([3.0, 4.0, 100.0, -50.0])
    out = truncate_matryoshka(full, 2)
    assert out.shape == (2,)
    assert np.allclose(out, [0.6, 0.8])


def test_truncate_matryoshka_refuses_vector_shorter_than_dim() -> None:
    with pytest.raises(ValueError, match="cannot truncate"):
        truncate_matryoshka(np.ones(4), 8)


def test_mean_pool_is_normalised_mean_of_frames() -> None:
    frames = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])
    assert np.allclose(mean_pool(frames), np.array([1.0, 1.0, 0.0]) / np.sqrt(2))


def test_mean_pool_refuses_no_frames() -> None:
    with pytest.raises(DegenerateVectorError):
        mean_pool(np.zeros((0, 3)))


def test_combine_weighted_uses_weights_then_renormalises() -> None:
    e_vis, e_text = np.array([1.0, 0.0]), np.array([0.0, 1.0])
    out = combine_weighted([(e_vis, 0.7), (e_text, 0.3)])
    assert np.allclose(out, np.array([0.7, 0.3]) / np.hypot(0.7, 0.3))
    assert np.isclose(np.linalg.norm(out), 1.0)


def test_combine_weighted_with_missing_part_returns_the_present_part() -> None:
    e_text = np.array([0.0, 2.0, 0.0])
    assert np.allclose(combine_weighted([(None, 0.7), (e_text, 0.3)]), [0.0, 1.0, 0.0])


def test_combine_weighted_refuses_when_nothing_is_present() -> None:
    with pytest.raises(DegenerateVectorError):
        combine_weighted([(None, 0.7), (None, 0.3)])


def test_combine_weighted_refuses_present_parts_weighing_zero() -> None:
    with pytest.raises(DegenerateVectorError):
        combine_weighted([(None, 0.7), (np.ones(3), 0.0)])


def test_combine_weighted_refuses_opposite_parts_that_cancel_out() -> None:
    with pytest.raises(DegenerateVectorError):
        combine_weighted([(np.array([1.0, 0.0]), 0.5), (np.array([-1.0, 0.0]), 0.5)])


def test_cosine_of_parallel_vectors_is_one() -> None:
    assert cosine(np.array([1.0, 2.0]), np.array([2.0, 4.0])) == pytest.approx(1.0)
