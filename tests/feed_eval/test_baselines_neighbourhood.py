"""The item-kNN and hybrid baselines of evaluate_feed, on small histories worked out by hand."""

from __future__ import annotations

import numpy as np

from feed.evaluation.baselines import ItemKnn, hybrid_scores, top_k_excluding


def test_items_seen_together_are_neighbours_and_popularity_is_normalised_away() -> None:
    # Items 0 and 1 are always seen together; item 2 is seen by everyone (popular).
    histories = {user: [0, 1, 2] for user in range(4)} | {4: [2, 3], 5: [2], 6: [2]}
    knn = ItemKnn(histories, n_items=4, shrink=0.0)

    scores = knn.scores([0])

    # c(0,1) = 4, n0 = n1 = 4 -> 1.0; c(0,2) = 4, n2 = 7 -> 4 / (2 * sqrt 7) ~ 0.756.
    assert np.isclose(scores[1], 1.0)
    assert np.isclose(scores[2], 4 / (2 * np.sqrt(7)))
    assert scores[3] == 0.0
    assert top_k_excluding(scores, exclude={0}, k=3) == [1, 2]


def test_shrinkage_discounts_pairs_that_few_users_share() -> None:
    histories = {0: [0, 1], 1: [2, 3], 2: [2, 3], 3: [2, 3], 4: [2, 3]}
    knn = ItemKnn(histories, n_items=4, shrink=10.0)
    # Both pairs have cosine 1 without shrinkage; the pair five times more users share wins.
    assert knn.scores([2])[3] > knn.scores([0])[1]


def test_a_user_scores_the_sum_over_the_history_and_unknown_items_are_ignored() -> None:
    histories = {0: [0, 2], 1: [1, 2]}
    knn = ItemKnn(histories, n_items=3, shrink=0.0)
    both = knn.scores([0, 1, 99])
    assert np.isclose(both[2], knn.scores([0])[2] + knn.scores([1])[2])


def test_hybrid_mixes_sources_scaled_per_user() -> None:
    knn = np.array([0.0, 4.0, 2.0, 0.0])
    content = np.array([0.1, 0.0, 0.2, 0.9])
    popularity = np.array([0.0, 0.0, 0.0, 0.0])
    weights = {"itemknn": 0.5, "content": 0.5, "popularity": 0.0}
    mixed = hybrid_scores(
        knn_scores=knn, content_scores=content, popularity=popularity, weights=weights
    )
    assert np.allclose(mixed, [0.5 * 0.1 / 0.9, 0.5, 0.25 + 0.5 * 0.2 / 0.9, 0.5])
    # Without content (no history vector) the other sources still rank.
    alone = hybrid_scores(knn_scores=knn, content_scores=None, popularity=popularity)
    assert top_k_excluding(alone, exclude=set(), k=2) == [1, 2]


def _similarities_by_hand(histories: dict[int, list[int]], n_items: int, shrink: float):
    """The definition, pair by pair: c_ij / (sqrt(n_i) * sqrt(n_j) + shrink)."""
    sets = [set(items[-3:]) for items in histories.values()]  # max_history=3 below
    users_per_item = [sum(item in s for s in sets) for item in range(n_items)]
    table = np.zeros((n_items, n_items))
    for i in range(n_items):
        for j in range(n_items):
            together = sum(i in s and j in s for s in sets)
            if i != j and together:
                table[i, j] = together / (
                    np.sqrt(users_per_item[i]) * np.sqrt(users_per_item[j]) + shrink
                )
    return table, users_per_item


def test_sparse_counts_match_the_definition_on_random_histories() -> None:
    rng = np.random.default_rng(5)
    n_items = 12
    histories = {
        user: rng.integers(0, n_items, size=rng.integers(0, 7)).tolist() for user in range(40)
    }
    histories[40] = [3, 3, 3]  # repeats count once
    histories[41] = [7]  # a single item: counted, no pairs
    knn = ItemKnn(histories, n_items=n_items, shrink=2.0, max_history=3)
    table, users_per_item = _similarities_by_hand(histories, n_items, 2.0)

    assert knn.users_per_item.tolist() == users_per_item
    for item in range(n_items):
        assert np.allclose(knn.scores([item]), table[item])
    assert np.allclose(knn.scores([0, 5, 9]), table[0] + table[5] + table[9])


def test_no_histories_give_zero_scores() -> None:
    knn = ItemKnn({}, n_items=3)
    assert knn.scores([0, 1]).tolist() == [0.0, 0.0, 0.0]


def test_diversity_of_a_method_that_made_no_list_of_two_is_null_not_zero() -> None:
    # An ILD of 0.0 read "every list identical" for a method that recommended nothing.
    import numpy as np

    from feed.evaluation.metrics import method_metrics

    metrics = method_metrics(
        recommendations={1: [], 2: []},
        held_out={1: 10, 2: 11},
        ks=[10],
        catalogue_size=5,
        item_vectors={10: np.ones(3), 11: np.ones(3)},
        fresh_items=frozenset(),
    )

    assert metrics["ild@10"] is None and metrics["fresh@10"] is None
    assert metrics["recall@10"] == 0.0
