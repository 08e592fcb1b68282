"""The pure maths of challenge scores and velocity (discover/scoring.py)."""

from discover.scoring import entry_score, velocity_score


def test_entry_score_weights_shares_over_likes_over_completions():
    assert entry_score(likes=0, shares=1, completions=0) > entry_score(
        likes=1, shares=0, completions=0
    )
    assert entry_score(likes=1, shares=0, completions=0) > entry_score(
        likes=0, shares=0, completions=1
    )
    assert entry_score(likes=0, shares=0, completions=0) == 0


def test_velocity_rewards_a_rise_over_the_baseline():
    rising = velocity_score(recent=20, baseline_per_day=1)
    steady = velocity_score(recent=20, baseline_per_day=20)
    assert rising > steady > 0


def test_velocity_of_a_single_use_stays_below_a_busy_steady_tag():
    assert velocity_score(recent=1, baseline_per_day=0) < velocity_score(
        recent=100, baseline_per_day=100
    )
    assert velocity_score(recent=0, baseline_per_day=5) == 0.0
