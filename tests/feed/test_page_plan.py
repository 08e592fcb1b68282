"""Candidate scoring (feed/page_plan.py, pure numpy): co-engagement by its item-kNN score,
the session's category affinity, and the exploration guard against just-skipped videos."""

from __future__ import annotations

import numpy as np

from feed.page_model import CandidateFacts, PageCandidates, PagePlan, PlanSettings
from feed.page_plan import candidate_scores, plan_page
from tests.feed.factories import axis


def _candidates(
    *,
    coengaged: dict[int, int],
    finishes: list[float],
    coengaged_scores: dict[int, float] | None = None,
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
        coengaged_scores=coengaged_scores or {},
        facts=facts,
        origin={v: "nearest" if v <= n // 2 else "trending" for v in ids},
        members={v: {"nearest"} if v <= n // 2 else {"trending"} for v in ids},
        negatives=negatives,
        negative_strengths=[0.35] * len(negatives),
        arm_affinity=np.asarray(affinity) if affinity is not None else None,
    )


def test_a_co_engaged_video_is_boosted_by_its_item_knn_score() -> None:
    # Both co-engaged with the viewer's positives; the query gave the first twice the score.
    scores = candidate_scores(
        _candidates(coengaged={1: 4, 2: 4}, coengaged_scores={1: 0.8, 2: 0.4}, finishes=[0.0] * 4),
        PlanSettings(),
    )
    plain = candidate_scores(_candidates(coengaged={}, finishes=[0.0] * 4), PlanSettings())
    boost = scores - plain
    assert boost[0] > 0.25  # the best neighbour gets the full boost
    assert np.isclose(boost[1], boost[0] / 2)  # the others in proportion to their score
    assert np.allclose(boost[2:], 0.0)


def test_category_affinity_lifts_and_lowers_by_its_weight() -> None:
    config = PlanSettings(arm_weight=0.3)
    base = candidate_scores(_candidates(coengaged={}, finishes=[0.0] * 4), config)
    moved = candidate_scores(
        _candidates(coengaged={}, finishes=[0.0] * 4, affinity=[0.5, -0.5, 0.0, 0.0]), config
    )
    assert np.allclose(moved - base, [0.15, -0.15, 0.0, 0.0])


def test_a_skipped_category_loses_its_co_engagement_lift() -> None:
    # Videos 1 and 2 are equally co-engaged; the session skips 1's category, likes 2's a little.
    config = PlanSettings(arm_weight=0.0, coengagement_arm_damping=2.0)
    co = {"coengaged": {1: 4, 2: 4}, "coengaged_scores": {1: 0.5, 2: 0.5}}
    plain = candidate_scores(_candidates(coengaged={}, finishes=[0.0] * 4), config)
    neutral = candidate_scores(_candidates(**co, finishes=[0.0] * 4), config) - plain
    skipped = (
        candidate_scores(
            _candidates(**co, finishes=[0.0] * 4, affinity=[-0.25, 0.2, 0.0, 0.0]), config
        )
        - plain
    )
    assert neutral[0] > 0.5 and np.isclose(neutral[0], neutral[1])
    assert np.isclose(skipped[0], neutral[0] * 0.5)  # 1 + 2 x (-0.25)
    assert np.isclose(skipped[1], neutral[1])  # a liked category is not lifted past the boost
    gone = candidate_scores(
        _candidates(**co, finishes=[0.0] * 4, affinity=[-0.6, 0.0, 0.0, 0.0]), config
    )
    assert np.isclose(gone[0], plain[0])


def test_no_slot_is_reserved_for_co_engaged_videos_of_a_skipped_category() -> None:
    # 16 candidates; 1-4 co-engaged but poor matches (the taste points away from them).
    def page(affinity: list[float]) -> list[int]:
        candidates = _candidates(
            coengaged={v: 5 for v in (1, 2, 3, 4)},
            coengaged_scores={v: 1e-9 for v in (1, 2, 3, 4)},
            finishes=[0.0] * 16,
            affinity=affinity,
        )
        candidates.taste = axis(7)
        candidates.facts.vectors[:4] = np.stack([axis(0)] * 4)
        for k in range(4, 16):  # the others close to the taste, distinct from each other
            vector = axis(7) + 0.3 * axis(1 + k % 6)
            candidates.facts.vectors[k] = vector / np.linalg.norm(vector)
        # No co-engagement lift in the score: only the reserved slots can bring them in.
        config = PlanSettings(
            coengagement_share=0.5, coengagement_weight=0.0, arm_weight=0.0, max_per_creator=16
        )
        plan = plan_page(
            candidates, limit=4, explore=False, rng=np.random.default_rng(0), config=config
        )
        return plan.video_ids

    neutral = page([0.0] * 16)
    # Half the slots reserved for them (on score alone, copies of one vector, one would do).
    assert len({1, 2, 3, 4} & set(neutral)) == 2
    skipped = page([-0.5] * 4 + [0.0] * 12)
    assert not {1, 2, 3, 4} & set(skipped)


def _half_explored_page(candidates: PageCandidates) -> PagePlan:
    """A page of 4, half of it exploration."""
    return plan_page(
        candidates,
        limit=4,
        explore=True,
        rng=np.random.default_rng(0),
        config=PlanSettings(exploration_share=0.5),
    )


def test_exploration_never_picks_what_resembles_a_just_skipped_video() -> None:
    # Two trending videos: one a near copy of what the session skipped.
    candidates = _candidates(
        coengaged={}, finishes=[0.0] * 8, negatives=np.stack([axis(4)]).astype(np.float32)
    )
    plan = _half_explored_page(candidates)
    explored = [v for v, kind in plan.kinds.items() if kind == "trending"]
    assert explored and 5 not in explored  # video 5 lies on axis 4


def test_popularity_breaks_ties_between_equally_relevant_videos_by_its_weight() -> None:
    # Four candidates alike but for how often they were finished.
    finishes = [0.0, 3.0, 63.0, 0.0]
    off = candidate_scores(
        _candidates(coengaged={}, finishes=finishes), PlanSettings(popularity_weight=0.0)
    )
    on = candidate_scores(
        _candidates(coengaged={}, finishes=finishes), PlanSettings(popularity_weight=0.4)
    )
    lift = on - off
    assert np.isclose(lift[2], 0.4)  # the most finished gets the whole weight
    assert np.isclose(lift[1], 0.4 * np.log(4) / np.log(64))
    assert np.allclose(lift[[0, 3]], 0.0)


def test_a_skipped_category_loses_its_popularity_lift() -> None:
    # Videos 1 and 2 equally popular; the session skips 1's category hard, has no view on 2's.
    config = PlanSettings(popularity_weight=0.4, arm_weight=0.0, coengagement_arm_damping=1.0)
    finishes = [63.0, 63.0, 0.0, 0.0]
    plain = candidate_scores(
        _candidates(coengaged={}, finishes=finishes), PlanSettings(popularity_weight=0.0)
    )
    lifted = candidate_scores(
        _candidates(coengaged={}, finishes=finishes, affinity=[-0.5, 0.0, 0.0, 0.0]), config
    )
    lift = lifted - plain
    assert np.isclose(lift[1], 0.4)  # an untried category keeps the whole lift
    assert np.isclose(lift[0], 0.2)  # affinity -0.5: half of it
    gone = candidate_scores(
        _candidates(coengaged={}, finishes=finishes, affinity=[-1.0, 0.0, 0.0, 0.0]), config
    )
    assert np.isclose(gone[0], plain[0])


def _followed_page(arm_follow: float, *, rejecting: bool = False, followed: int = 4) -> PagePlan:
    """16 candidates; the first `followed` the followed category's tops (followed_arm), poor
    matches of the taste; the rest close to it. No category lift in the score: only reserved
    slots bring the followed ones in."""
    candidates = _candidates(coengaged={}, finishes=[0.0] * 16)
    candidates.taste = axis(7)
    candidates.facts.vectors[:followed] = np.stack([axis(k) for k in range(followed)])
    for k in range(followed, 16):  # no two alike (cosine < 0.93): no near copies on a page
        vector = axis(7) + (0.3 if k < 10 else 0.8) * axis(1 + k % 6)
        candidates.facts.vectors[k] = vector / np.linalg.norm(vector)
    candidates.sources = {
        "followed_arm": list(range(1, followed + 1)),
        "nearest": list(range(followed + 1, 13)),
        "trending": list(range(13, 17)),
    }
    for video_id in range(1, 17):
        name = next(n for n, ids in candidates.sources.items() if video_id in ids)
        candidates.members[video_id] = {name}
        candidates.origin[video_id] = name
    candidates.arm_follow = arm_follow
    candidates.rejecting = rejecting
    plan = plan_page(
        candidates,
        limit=8,
        explore=True,
        rng=np.random.default_rng(0),
        config=PlanSettings(arm_weight=0.0, exploration_share=0.25, max_per_creator=16),
    )
    return plan


def test_the_followed_category_gets_its_share_of_the_page_as_reserved_slots() -> None:
    assert not {1, 2, 3, 4} & set(_followed_page(0.0).video_ids)
    assert len({1, 2, 3, 4} & set(_followed_page(1 / 3).video_ids)) == 2  # int(8 / 3)
    assert len({1, 2, 3, 4} & set(_followed_page(0.5).video_ids)) == 4
    # At most half the page however strongly the session follows it (six to take here).
    capped = _followed_page(0.9, followed=6)
    assert len(set(range(1, 7)) & set(capped.video_ids)) == 4


def test_a_rejecting_page_keeps_the_followed_category_s_slots_and_explores_the_rest() -> None:
    plan = _followed_page(0.3, rejecting=True)
    assert len({1, 2, 3, 4} & set(plan.video_ids)) == 2  # int(8 * 0.3)
    # No personal picks beside them: every other card is exploration (trending, 13-16, then
    # the most different of the nearest).
    others = [plan.kinds[v] for v in plan.video_ids if v > 4]
    assert len(others) == 6 and set(others) <= {"trending", "explore"}
    # Not rejecting: the same page has personal picks beside them.
    calm = _followed_page(0.3)
    assert "personalized" in {calm.kinds[v] for v in calm.video_ids if v > 4}


def test_a_new_viewer_s_page_follows_the_category_sweep_before_popularity() -> None:
    # Cold start: arm picks 3 and 1 (in the session's category order), then trending; 4 and 2
    # are far more popular.
    candidates = _candidates(coengaged={}, finishes=[0.0, 500.0, 0.0, 500.0])
    candidates.taste = None
    candidates.facts.vectors = np.zeros((4, 0), dtype=np.float32)
    candidates.sources = {"arm": [3, 1], "trending": [4, 2]}
    candidates.members = {3: {"arm"}, 1: {"arm"}, 4: {"trending"}, 2: {"trending"}}
    candidates.origin = {3: "arm", 1: "arm", 4: "trending", 2: "trending"}
    plan = plan_page(
        candidates, limit=4, explore=False, rng=np.random.default_rng(0), config=PlanSettings()
    )
    assert plan.video_ids == [3, 1, 4, 2]


def test_exploration_never_takes_a_near_copy_of_a_video_already_on_the_page() -> None:
    # The taste points at video 1 (a personal pick); trending's top video, 5, is its copy.
    candidates = _candidates(coengaged={}, finishes=[0.0] * 8)
    candidates.taste = axis(0)
    candidates.facts.vectors[4] = axis(0)
    plan = _half_explored_page(candidates)
    assert 1 in plan.video_ids and len(plan.video_ids) == 4
    assert 5 not in plan.video_ids
    assert "trending" in plan.kinds.values()  # trending's slot went to the next one
