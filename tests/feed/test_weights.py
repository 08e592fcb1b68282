"""Which events are strong positives or negatives."""

from feed.weights import TasteWeights, negative_strength, positive_weight

W = TasteWeights()


def test_watch_of_forty_percent_is_a_positive_and_less_is_not():
    assert positive_weight(W, "pause", 8000, 20.0) == W.watch
    assert positive_weight(W, "pause", 7000, 20.0) == 0.0


def test_explicit_positives_use_their_weights_and_unlike_takes_the_like_back():
    assert positive_weight(W, "share", 0, 20.0) == W.share
    assert positive_weight(W, "unlike", 0, 20.0) == -W.like


def test_skip_within_two_seconds_is_a_negative_and_late_skip_is_not():
    assert negative_strength(W, "skip", 1500) == W.skip_strength
    assert negative_strength(W, "skip", 2500) == 0.0
    assert positive_weight(W, "skip", 1500, 3.0) == 0.0


def test_not_interested_is_the_strongest_negative():
    assert negative_strength(W, "not_interested", 10_000) > negative_strength(W, "skip", 0)
