"""Pure scoring maths: pooling, calibration, 0..K selection."""

from __future__ import annotations

import numpy as np
import pytest

from tagging.scoring import TagMatrix, calibrate, select_tags, tag_scores


def unit(*values: float) -> np.ndarray:
    vector = np.asarray(values, dtype=np.float32)
    return vector / np.linalg.norm(vector)


@pytest.fixture
def two_tags() -> TagMatrix:
    # Tag 0 has two phrases pointing different ways; tag 1 one phrase.
    return TagMatrix.build([np.vstack([unit(1, 0, 0), unit(0, 1, 0)]), np.vstack([unit(0, 0, 1)])])


def test_mean_pooling_scores_against_the_normalised_phrase_mean(two_tags: TagMatrix) -> None:
    scores = tag_scores(unit(1, 0, 0), two_tags, "mean")
    assert scores[0, 0] == pytest.approx(1 / np.sqrt(2), abs=1e-6)
    assert scores[0, 1] == pytest.approx(0.0, abs=1e-6)


def test_max_pooling_scores_against_the_best_phrase(two_tags: TagMatrix) -> None:
    scores = tag_scores(np.vstack([unit(1, 0, 0), unit(0, 1, 0)]), two_tags, "max")
    assert scores[:, 0] == pytest.approx([1.0, 1.0], abs=1e-6)


def test_scores_refuse_vectors_of_another_dimension(two_tags: TagMatrix) -> None:
    with pytest.raises(ValueError, match="3-d"):
        tag_scores(np.ones((1, 4)), two_tags)


def test_calibration_makes_a_tag_with_a_high_background_need_a_higher_score() -> None:
    scores = np.array([[0.5, 0.5]])
    background = np.array([[0.1, 0.4], [0.2, 0.5], [0.3, 0.6]])
    confidences = calibrate(scores, background)
    assert confidences[0, 0] > 3 > confidences[0, 1]


def test_selection_keeps_nothing_when_no_tag_clears_the_threshold() -> None:
    assert select_tags(np.array([1.0, 2.0, 0.5]), max_tags=5, min_confidence=3.0) == []


def test_selection_keeps_at_most_k_tags_best_first() -> None:
    kept = select_tags(np.array([4.0, 9.0, 5.0, 7.0]), max_tags=2, min_confidence=3.0)
    assert kept == [1, 3]


def test_relative_floor_drops_weak_neighbours_of_a_strong_topic() -> None:
    confidences = np.array([10.0, 3.5, 7.0])
    assert select_tags(confidences, max_tags=5, min_confidence=3.0, relative_floor=0.6) == [0, 2]


def test_a_distinct_best_tag_below_the_threshold_is_kept_alone() -> None:
    rule = {"max_tags": 5, "min_confidence": 3.0, "distinct_min_confidence": 1.5}
    # One clear topic: 2.2 leads the runner-up by 1.0.
    assert select_tags(np.array([0.4, 2.2, 1.2]), distinct_margin=0.5, **rule) == [1]
    # Two tags about as likely: off-topic noise or an ambiguous topic, no tag.
    assert select_tags(np.array([2.0, 2.2, 1.2]), distinct_margin=0.5, **rule) == []
    # Too weak, however distinct.
    assert select_tags(np.array([0.1, 1.4, -1.0]), distinct_margin=0.5, **rule) == []
    # Above the threshold the usual rule applies (both kept).
    assert select_tags(np.array([3.2, 4.0]), distinct_margin=0.5, **rule) == [1, 0]


def test_one_tag_alone_is_not_distinct_from_nothing() -> None:
    """With one tag there is no runner-up: the distinct rule kept it for every video over
    distinct_min_confidence (off-topic ones included)."""
    kept = select_tags(
        np.array([1.6]),
        max_tags=3,
        min_confidence=2.0,
        distinct_min_confidence=1.5,
        distinct_margin=0.5,
    )
    assert kept == []
    two = select_tags(
        np.array([1.6, 0.9]),
        max_tags=3,
        min_confidence=2.0,
        distinct_min_confidence=1.5,
        distinct_margin=0.5,
    )
    assert two == [0]
