"""Ranking metrics on hand-computed examples."""

from __future__ import annotations

import math

import numpy as np
import pytest

from feed.evaluation.metrics import (
    catalogue_coverage,
    fresh_share,
    intra_list_diversity,
    method_metrics,
    ndcg_at_k,
    recall_at_k,
)


def test_recall_is_one_when_held_out_item_is_within_top_k():
    assert recall_at_k([5, 7, 9], held_out=9, k=3) == 1.0


def test_recall_is_zero_when_held_out_item_ranks_below_k():
    assert recall_at_k([5, 7, 9], held_out=9, k=2) == 0.0


def test_ndcg_of_first_position_is_one():
    assert ndcg_at_k([4, 1, 2], held_out=4, k=3) == 1.0


def test_ndcg_of_third_position_is_one_over_log2_of_four():
    assert ndcg_at_k([4, 1, 2], held_out=2, k=3) == pytest.approx(0.5)


def test_ndcg_of_a_miss_is_zero():
    assert ndcg_at_k([4, 1, 2], held_out=8, k=3) == 0.0


def test_coverage_counts_distinct_items_within_top_k_over_catalogue():
    lists = [[1, 2, 3], [2, 3, 4], [9, 9, 9]]
    # top 2: {1,2} | {2,3} | {9} -> 4 distinct of 10
    assert catalogue_coverage(lists, k=2, catalogue_size=10) == pytest.approx(0.4)


def test_intra_list_diversity_of_orthogonal_vectors_is_one():
    assert intra_list_diversity(np.eye(3)) == pytest.approx(1.0)


def test_intra_list_diversity_of_identical_vectors_is_zero():
    assert intra_list_diversity(np.array([[1.0, 1.0], [2.0, 2.0]])) == pytest.approx(0.0)


def test_intra_list_diversity_is_mean_pairwise_cosine_distance():
    # pairs: (e1,e2)=1, (e1,v)=1-1/sqrt2, (e2,v)=1-1/sqrt2
    vectors = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    expected = (1.0 + 2 * (1 - 1 / math.sqrt(2))) / 3
    assert intra_list_diversity(vectors) == pytest.approx(expected)


def test_intra_list_diversity_of_a_single_item_is_undefined():
    assert intra_list_diversity(np.array([[1.0, 0.0]])) is None


def test_fresh_share_is_fraction_of_top_k_that_is_fresh():
    assert fresh_share([1, 2, 3, 4], k=4, fresh_items={2, 4, 99}) == pytest.approx(0.5)


def test_method_metrics_averages_over_users_and_scores_missing_lists_as_misses():
    vectors = {i: np.eye(4)[i % 4] for i in range(8)}
    result = method_metrics(
        recommendations={1: [10, 11], 2: [5, 6]},
        held_out={1: 11, 2: 7, 3: 1},
        ks=[1, 2],
        catalogue_size=10,
        item_vectors=vectors,
        fresh_items={5},
    )
    assert result["recall@1"] == 0.0
    assert result["recall@2"] == pytest.approx(1 / 3)
    assert result["ndcg@2"] == pytest.approx((1 / math.log2(3)) / 3, abs=1e-6)
    assert result["coverage@2"] == pytest.approx(0.4)
    assert result["fresh@1"] == pytest.approx(0.5)
    assert result["ild@2"] == pytest.approx(1.0)  # only user 2 has vectors for both items
