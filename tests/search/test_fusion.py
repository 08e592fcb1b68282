"""Reciprocal rank fusion (pure)."""

from search.fusion import rrf_fuse, rrf_scores


def test_an_item_two_rankings_agree_on_beats_the_top_of_one():
    fused = rrf_fuse([[1, 2, 3], [4, 2, 5]], k=60)
    assert fused[0] == 2
    assert set(fused) == {1, 2, 3, 4, 5}


def test_scores_are_the_sum_of_reciprocal_ranks():
    scores = rrf_scores([[7, 8], [8]], k=10)
    assert scores[7] == 1 / 11
    assert scores[8] == 1 / 12 + 1 / 11


def test_ties_keep_the_order_of_first_sight():
    assert rrf_fuse([[1], [2]], k=60) == [1, 2]
    assert rrf_fuse([[2], [1]], k=60) == [2, 1]


def test_no_rankings_fuse_to_nothing():
    assert rrf_fuse([], k=60) == []
    assert rrf_fuse([[], []], k=60) == []
