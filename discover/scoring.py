"""Pure scoring maths of challenges and trending lists (no Django, no Redis)."""

from __future__ import annotations

# A share spreads a video beyond its viewer; a completion is the weakest signal (it costs a
# watch, not a decision), a like sits between.
ENTRY_WEIGHT_LIKE = 2
ENTRY_WEIGHT_SHARE = 3
ENTRY_WEIGHT_FINISH = 1
# Added to both sides of a velocity ratio so one use of a brand-new hashtag does not outrank a
# hundred of an established one.
VELOCITY_PRIOR = 3.0


def entry_score(*, likes: int, shares: int, completions: int) -> int:
    """A challenge entry's score from its distinct accounts' likes, shares and completions."""
    return (
        ENTRY_WEIGHT_LIKE * likes + ENTRY_WEIGHT_SHARE * shares + ENTRY_WEIGHT_FINISH * completions
    )


def vote_weight(kind: str) -> int:
    return {"like": ENTRY_WEIGHT_LIKE, "share": ENTRY_WEIGHT_SHARE, "finish": ENTRY_WEIGHT_FINISH}[
        kind
    ]


def velocity_score(*, recent: float, baseline_per_day: float) -> float:
    """How fast something is taking off: the last day's activity times its rise over the mean
    day of the week before (both smoothed by VELOCITY_PRIOR). Volume alone would rank the
    perennial tags first; the ratio alone would rank a tag used twice."""
    if recent <= 0:
        return 0.0
    return recent * (recent + VELOCITY_PRIOR) / (baseline_per_day + VELOCITY_PRIOR)
