"""The one vector-maths module: unit length, zero vectors stay zero."""

import numpy as np
import pytest

from tiktok.vectors import normalize, normalize_rows


def test_normalize_returns_unit_vector_and_keeps_zero():
    assert np.linalg.norm(normalize([3.0, 4.0])) == pytest.approx(1.0)
    assert normalize([0.0, 0.0]).tolist() == [0.0, 0.0]


def test_normalize_rows_scales_each_row_and_keeps_zero_rows():
    rows = normalize_rows(np.array([[3.0, 4.0], [0.0, 0.0], [0.0, 2.0]]))
    assert rows.dtype == np.float32
    assert np.linalg.norm(rows[0]) == pytest.approx(1.0)
    assert rows[1].tolist() == [0.0, 0.0]
    assert rows[2].tolist() == [0.0, 1.0]
