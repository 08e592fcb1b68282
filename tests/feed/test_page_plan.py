"""Candidate scoring (feed/page_plan.py, pure numpy): co-engagement normalised like item-kNN,
the session's category affinity, and the exploration guard against just-skipped videos."""

from __future__ import annotations

import numpy as np

from feed.page_plan import CandidateFacts, PageCandidates, PlanSettings, candidate_scores, plan_page
from tests.feed.factories import axis


def _candidates(
    *,
    coengaged: dict[int, int],
    finishes: list[float],
    affinity: list[float] | None = None,
    negatives: np.ndarray | None = None,
) -> PageCandidates:
    n = len(finishes)
    ids = list(range(1, n + 1))
    vectors = np.stack([axis(i % 8) for i in range(n)])
    facts = CandidateFacts(
        ids=ids,
        owners=ids,
        age_hours=np.full(n, 1000.0),
        impressions=np.zeros(n),
        plays=np.zeros(n),
        finishes=np.asarray(finishes, dtype=float),
        likes=np.zeros(n),
        vectors=vectors,
        has_vector=np.ones(n, dtype=bool),
    )
    negatives = negatives if negatives is not None else np.zeros((0, 8), dtype=np.float32)
    return PageCandidates(
        taste=np.full(8, 1 / np.sqrt(8), dtype=np.float32),
        sources={"nearest": ids[: n // 2], "trending": ids[n // 2 :]},
        coengaged=coengaged,
        facts=facts,
        origin={v: "nearest" if v <= n // 2 else "trending" for v in ids},
        members={v: {"nearest"} if v <= n // 2 else {"trending"} for v in ids},
        negatives=negatives,
        negative_strengths=[0.35] * len(negatives),
        arm_affinity=np.asarray(affinity) if affinity is not None else None,
    )


def test_a_co_engaged_video_counts_less_the_more_popular_it_is() -> None:
    # Same co-count with the viewer's positives; the second has 400 positives of its own.
    scores = candidate_scores(
        _candidates(coengaged={1: 4, 2: 4}, finishes=[4.0, 400.0, 0.0, 0.0]), PlanSettings()
    )
    assert scores[0] - scores[2] > 0.25  # the niche neighbour gets nearly the full boost
    assert scores[0] > scores[1] > scores[2]


def test_category_affinity_lifts_and_lowers_by_its_weight() -> None:
    config = PlanSettings(arm_weight=0.3)
    base = candidate_scores(_candidates(coengaged={}, finishes=[0.0] * 4), config)
    moved = candidate_scores(
        _candidates(coengaged={}, finishes=[0.0] * 4, affinity=[0.5, -0.5, 0.0, 0.0]), config
    )
    assert np.allclose(moved - base, [0.15, -0.15, 0.0, 0.0])


def test_exploration_never_picks_what_resembles_a_just_skipped_video() -> None:
    # Two trending videos: one a near copy of what the session skipped.
    candidates = _candidates(
        coengaged={}, finishes=[0.0] * 8, negatives=np.stack([axis(4)]).astype(np.float32)
    )
    plan = plan_page(
        candidates,
        limit=4,
        explore=True,
        rng=np.random.default_rng(0),
        config=PlanSettings(exploration_share=0.5),
    )
    explored = [v for v, kind in plan.kinds.items() if kind == "trending"]
    assert explored and 5 not in explored  # video 5 lies on axis 4
