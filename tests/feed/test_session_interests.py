"""The session's interests (feed/session_interests.py): components, negative evidence, the
rejecting run, the follow-up, and how pages share their slots."""

from __future__ import annotations

import numpy as np

from feed.session_interests import (
    MAX_COMPONENTS,
    REJECT_RUN,
    SessionInterests,
    interests_parse,
    interests_update,
    quotas,
    slot_shares,
)
from tests.feed.factories import axis, near


def _positive(interests: SessionInterests, vector, arm: str | None = None) -> None:  # noqa: ANN001
    interests_update(interests, vector=np.asarray(vector), weight=1.5, strength=0.0, arm=arm)


def _skip(interests: SessionInterests, vector, arm: str | None = None) -> None:  # noqa: ANN001
    interests_update(interests, vector=np.asarray(vector), weight=0.0, strength=0.35, arm=arm)


def _mean_shares(interests: SessionInterests, draws: int = 400) -> dict[int, float]:
    rng = np.random.default_rng(0)
    totals: dict[int, float] = {}
    for _ in range(draws):
        for index, share in slot_shares(interests, rng):
            totals[index] = totals.get(index, 0.0) + share / draws
    return totals


def test_close_positives_share_a_component_and_distant_ones_start_another() -> None:
    interests = SessionInterests()
    _positive(interests, axis(0))
    _positive(interests, near(axis(0), 1, 0.3))
    _positive(interests, axis(4))
    assert len(interests.components) == 2
    cats, dogs = interests.components
    assert cats.hits > dogs.hits
    assert float(cats.centre @ axis(0)) > 0.95  # the centre moved only a little


def test_the_weakest_component_gives_way_beyond_the_maximum() -> None:
    interests = SessionInterests()
    for index in range(MAX_COMPONENTS + 1):
        for _ in range(index + 1):  # later interests have more evidence
            _positive(interests, axis(index))
    assert len(interests.components) == MAX_COMPONENTS
    kept = {int(np.argmax(c.centre)) for c in interests.components}
    assert kept == set(range(1, MAX_COMPONENTS + 1))


def test_a_fast_skip_is_a_miss_for_the_interest_it_resembles_only() -> None:
    interests = SessionInterests()
    for _ in range(3):
        _positive(interests, axis(0))
    _positive(interests, axis(4))
    hits_before = [c.hits for c in interests.components]
    _skip(interests, near(axis(0), 2, 0.2))
    cats, dogs = interests.components
    assert cats.misses == 1.0 and dogs.misses == 0.0
    assert cats.hits < 0.7 * hits_before[0]  # shrunk, not only aged
    assert dogs.hits > 0.85 * hits_before[1]  # only aged


def test_a_run_of_fast_skips_makes_the_session_rejecting_and_a_positive_ends_it() -> None:
    interests = SessionInterests()
    _positive(interests, axis(0))
    for step in range(REJECT_RUN):
        assert not interests.rejecting
        _skip(interests, axis(step + 1))
    assert interests.rejecting
    _positive(interests, axis(6))
    assert not interests.rejecting and interests.follow_up


def test_the_first_positive_after_rejecting_is_followed_up_at_once() -> None:
    interests = SessionInterests()
    for _ in range(6):
        _positive(interests, axis(0))
    for _ in range(REJECT_RUN):
        _skip(interests, near(axis(0), 1, 0.2))
    _positive(interests, axis(4))  # the new interest, found by exploring
    shares = _mean_shares(interests)
    new = next(i for i, c in enumerate(interests.components) if float(c.centre @ axis(4)) > 0.9)
    assert shares[new] > 0.7


def test_one_like_elsewhere_changes_a_strong_interest_s_share_a_little() -> None:
    interests = SessionInterests()
    for _ in range(8):
        _positive(interests, axis(0))
    _positive(interests, axis(4))  # no rejecting run before it: no follow-up
    shares = _mean_shares(interests)
    assert 0.05 < shares.get(1, 0.0) < 0.35
    assert shares[0] > 0.65


def test_quotas_hand_out_every_slot_and_the_best_gets_at_least_one() -> None:
    assert quotas([(2, 0.5), (0, 0.3), (1, 0.2)], 8) == [(2, 4), (0, 2), (1, 2)]  # 2.4, 1.6
    assert sum(count for _, count in quotas([(0, 0.34), (1, 0.33), (2, 0.33)], 7)) == 7
    assert quotas([(0, 0.04), (1, 0.96)], 1)[0] == (0, 1)
    assert quotas([], 8) == [] and quotas([(0, 1.0)], 0) == []


def test_arm_evidence_counts_hits_and_misses_and_ages() -> None:
    interests = SessionInterests()
    _positive(interests, axis(0), arm="c1")
    _skip(interests, axis(3), arm="c2")
    _skip(interests, axis(3), arm="c2")
    assert interests.arms["c1"][0] > 0.9 and interests.arms["c1"][1] == 0.0
    assert 1.8 < interests.arms["c2"][1] < 2.0


def test_an_arm_s_misses_in_a_row_are_counted_until_its_next_hit() -> None:
    interests = SessionInterests()
    for _ in range(5):
        _positive(interests, axis(0), arm="c1")
    _skip(interests, axis(0), arm="c1")
    _skip(interests, axis(3), arm="c2")  # another arm's skip does not break c1's streak
    _skip(interests, axis(0), arm="c1")
    assert interests.arms["c1"][2] == 2.0 and interests.arms["c2"][2] == 1.0
    _positive(interests, axis(0), arm="c1")
    assert interests.arms["c1"][2] == 0.0 and interests.arms["c1"][1] > 1.5


def test_the_state_round_trips_and_malformed_or_foreign_fields_read_as_empty() -> None:
    interests = SessionInterests()
    _positive(interests, axis(0), arm="t5")
    _skip(interests, axis(0))
    raw = {
        k.encode(): v if isinstance(v, bytes) else v.encode()
        for k, v in interests.as_mapping().items()
    }
    again = interests_parse(raw, 8)
    assert len(again.components) == 1 and again.run == 1 and "t5" in again.arms
    assert np.allclose(again.components[0].centre, interests.components[0].centre)
    assert interests_parse(raw, 16).components == []  # another version's dimension
    assert interests_parse({b"ia": b"{not json", b"ir": b"1,0"}, 8).arms == {}
    assert interests_parse({b"ir": b"x"}, 8).run == 0
    # The streak survives the round trip; a state stored before it was kept reads as none.
    _skip(interests, axis(1), arm="t5")
    raw[b"ia"] = interests.as_mapping()["ia"].encode()
    assert interests_parse(raw, 8).arms["t5"][2] == 1.0
    assert interests_parse({b"ia": b'{"t5": [1.0, 2.0]}'}, 8).arms == {"t5": [1.0, 2.0, 0.0]}
