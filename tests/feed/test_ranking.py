"""Pure ranking maths: MMR, creator cap, negative penalties, Thompson sampling, trending."""

import numpy as np

from feed.ranking import (
    coengagement_pairs,
    completion_rate,
    freshness_boost,
    mmr_select,
    negative_penalty,
    popularity_boost,
    thompson_sample,
    trending_score,
)


def _unit(*values):  # noqa: ANN002, ANN202
    vector = np.asarray(values, dtype=float)
    return vector / np.linalg.norm(vector)


def test_mmr_skips_near_duplicate_of_first_pick():
    vectors = np.stack([_unit(1, 0, 0), _unit(1, 0.01, 0), _unit(0, 1, 0)])
    picks = mmr_select(np.array([0.9, 0.89, 0.6]), vectors, 2, lambda_=0.5)
    assert picks == [0, 2]


def test_mmr_with_lambda_one_is_plain_score_order():
    vectors = np.stack([_unit(1, 0), _unit(1, 0.01), _unit(0, 1)])
    assert mmr_select(np.array([0.9, 0.89, 0.6]), vectors, 3, lambda_=1.0) == [0, 1, 2]


def test_mmr_caps_items_per_creator():
    vectors = np.eye(5)
    picks = mmr_select(
        np.array([0.9, 0.8, 0.7, 0.6, 0.5]),
        vectors,
        4,
        1.0,
        creators=[1, 1, 1, 2, 3],
        max_per_creator=2,
    )
    assert picks == [0, 1, 3, 4]


def test_mmr_respects_creator_counts_from_earlier_picks():
    counts = {1: 2}
    picks = mmr_select(
        np.array([0.9, 0.5]),
        np.eye(2),
        2,
        1.0,
        creators=[1, 2],
        max_per_creator=2,
        creator_counts=counts,
    )
    assert picks == [1]
    assert counts == {1: 2, 2: 1}


def test_negative_penalty_grows_with_similarity_and_buries_near_duplicates():
    negatives = np.stack([_unit(1, 0, 0)])
    candidates = np.stack([_unit(1, 0.01, 0), _unit(1, 1, 0), _unit(0, 0, 1)])
    mild = negative_penalty(candidates, negatives, [0.35], 0.92)
    assert mild[0] > mild[1] > mild[2] == 0
    assert mild[0] < 1
    strong = negative_penalty(candidates, negatives, [0.8], 0.92)
    assert strong[0] > 10
    assert strong[1] < 1


def test_thompson_sampling_favours_good_completion():
    rng = np.random.default_rng(0)
    finishes, exposures = np.array([9.0, 1.0]), np.array([10.0, 10.0])
    wins = sum(int(np.argmax(thompson_sample(finishes, exposures, rng)) == 0) for _ in range(200))
    assert wins > 190


def test_thompson_sampling_gives_unexposed_videos_a_chance():
    rng = np.random.default_rng(1)
    finishes, exposures = np.array([5.0, 0.0]), np.array([10.0, 0.0])
    wins = sum(int(np.argmax(thompson_sample(finishes, exposures, rng)) == 1) for _ in range(400))
    assert 100 < wins < 300


def test_trending_score_weights_shares_over_likes_over_views():
    base = trending_score(views=10, likes=0, shares=0, finishes=5, age_hours=5)
    assert trending_score(views=10, likes=1, shares=0, finishes=5, age_hours=5) > base
    like = trending_score(views=10, likes=1, shares=0, finishes=5, age_hours=5)
    share = trending_score(views=10, likes=0, shares=1, finishes=5, age_hours=5)
    assert share > like


def test_trending_score_rewards_completion_and_recency():
    assert trending_score(10, 0, 0, 9, 5) > trending_score(10, 0, 0, 1, 5)
    assert trending_score(10, 0, 0, 5, 1) > trending_score(10, 0, 0, 5, 72)


def test_freshness_halves_every_half_life():
    assert np.allclose(freshness_boost(np.array([0.0, 48.0, 96.0]), 48.0), [1.0, 0.5, 0.25])


def test_completion_rate_starts_at_prior_and_follows_evidence():
    assert completion_rate(np.array([0.0]), np.array([0.0]))[0] == 0.3
    assert completion_rate(np.array([90.0]), np.array([100.0]))[0] > 0.85


def test_coengagement_pairs_are_one_row_per_pair_smaller_id_first_and_skip_self():
    assert coengagement_pairs([5, 12, 5, 9], 9) == [(5, 9), (9, 12)]


def test_popularity_boost_is_log_scaled_to_the_most_popular_candidate():
    boost = popularity_boost(np.asarray([0.0, 9.0, 99.0, 40.0]), np.asarray([0.0, 0.0, 0.0, 59.0]))
    assert boost[0] == 0.0
    assert np.isclose(boost[3], 1.0)  # finishes and likes both count: 99 in all
    assert np.isclose(boost[2], 1.0)
    assert np.isclose(boost[1], np.log(10) / np.log(100))  # log scale: 10x less is half
    assert np.allclose(popularity_boost(np.zeros(3), np.zeros(3)), 0.0)
    assert popularity_boost(np.zeros(0), np.zeros(0)).shape == (0,)
