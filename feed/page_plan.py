"""Planning one For You page from its candidates (pure numpy: no Django, no Redis, no SQL).

`plan_page` scores the candidates (taste similarity, co-engagement, freshness, quality, popularity,
following, minus what resembles recent negatives), fills the reserved slots (followed creators,
strongly co-engaged videos), the personal slots by MMR with a creator cap, the exploration slots
(`feed.page_exploration`: fresh videos by Thompson sampling, trending, the most different of
the nearest), and interleaves them. A page goes past the creator cap only when nothing else is
left to fill it (a short page ends the feed). `feed.page_inputs` reads what it needs into the
shapes of `feed.page_model`; the evaluator and tests call it directly.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from feed import ranking
from feed.page_exploration import exploration_picks, interleave
from feed.page_model import BURIED_SCORE, PageCandidates, PagePlan, PlanSettings
from feed.session_interests import quotas

PERSONAL_SOURCES = (
    "following",
    "coengaged",
    "nearest",
    "released",
    "followed_arm",
    "sound",
    "hashtag",
)
# Source priority: the first source that proposed a candidate is its origin (its reason).
SOURCE_ORDER = (
    "following",
    "coengaged",
    "nearest",
    "released",
    "followed_arm",
    "sound",
    "hashtag",
    "cold_start",
    "arm",
    "trending",
    "fresh",
    "extra",
)
FRESH_SHORTLIST = 12  # fresh candidates per page, pre-drawn by Thompson sampling
# Exploration never picks a video this much like something the session just rejected (a skip's
# full penalty is 0.35 at cosine 1; 0.15 is about cosine 0.7).
EXPLORE_MAX_PENALTY = 0.15
# The followed category's reserved slots take at most this share of a page (the rest stays
# the taste's, the co-engagement's and exploration's: a binge keeps a diverse page).
MAX_ARM_SLOT_SHARE = 0.5
# A new viewer's page follows its list order (category tops first): the order term spans this
# much, more than every boost together.
COLD_ORDER_WEIGHT = 2.0


def candidate_origins(
    sources: dict[str, Sequence[int]], excluded: set[int]
) -> tuple[dict[int, str], dict[int, set[str]]]:
    """(origin, members) of every candidate not excluded: the first source in SOURCE_ORDER that
    proposed it, and every source that did."""
    origin: dict[int, str] = {}
    members: dict[int, set[str]] = {}
    for name in SOURCE_ORDER:
        for video_id in sources.get(name, ()):
            if video_id not in excluded:
                origin.setdefault(video_id, name)
                members.setdefault(video_id, set()).add(name)
    return origin, members


def fresh_shortlist(
    fresh: Sequence[int],
    stats: dict[int, tuple[float, float]],
    excluded: set[int],
    rng: np.random.Generator,
) -> list[int]:
    """The fresh videos a page considers: a Thompson draw on completion over the whole fresh
    list, from its (finishes, exposures), keeps the FRESH_SHORTLIST most promising (the
    exploration step then draws again among them on live counts)."""
    ids = [v for v in fresh if v not in excluded]
    if len(ids) <= FRESH_SHORTLIST:
        return ids
    counts = np.asarray([stats.get(v, (0.0, 0.0)) for v in ids])
    draws = ranking.thompson_sample(counts[:, 0], counts[:, 1], rng)
    return [ids[i] for i in np.argsort(-draws, kind="stable")[:FRESH_SHORTLIST]]


def candidate_scores(candidates: PageCandidates, config: PlanSettings) -> np.ndarray:
    """Each candidate's score: taste similarity plus the boosts, minus negative penalties;
    cold start orders category tops first, then trending, by their list order."""
    return _scores(candidates, config)[0]


def _arm_affinity(candidates: PageCandidates) -> np.ndarray:
    """The session's category affinity per candidate; zeros without category evidence."""
    affinity = candidates.arm_affinity
    if affinity is None or len(affinity) != len(candidates.facts.ids):
        return np.zeros(len(candidates.facts.ids))
    return np.asarray(affinity, dtype=float)


def _scores(candidates: PageCandidates, config: PlanSettings) -> tuple[np.ndarray, np.ndarray]:
    """(score, the negative penalty inside it) of every candidate."""
    facts, taste = candidates.facts, candidates.taste
    vectors = facts.vectors
    similarity = vectors @ taste if taste is not None else np.zeros(len(facts.ids))
    if taste is not None and len(candidates.tastes) > 1:
        similarity = (vectors @ np.stack(candidates.tastes).T).max(axis=1)
    # Item-kNN's score of a neighbour of the recent positives (normalised by both videos'
    # positives in the context query), scaled to [0, 1] per page.
    co_scaled = np.asarray(
        [candidates.coengaged_scores.get(video_id, 0.0) for video_id in facts.ids], dtype=float
    )
    co_boost = co_scaled / co_scaled.max() if len(co_scaled) and co_scaled.max() > 0 else 0.0
    popularity = ranking.popularity_boost(facts.finishes, facts.likes)
    affinity = _arm_affinity(candidates)
    # Both are evidence from other viewers; the session's own skips of a category outrank it.
    damping = np.clip(1.0 + config.coengagement_arm_damping * affinity, 0.0, 1.0)
    co_boost = co_boost * damping
    popularity = popularity * damping
    exposures = np.maximum(facts.impressions, facts.plays)
    followed = set(candidates.sources.get("following", ()))
    released = set(candidates.sources.get("released", ()))
    score = (
        similarity
        + config.coengagement_weight * co_boost
        + config.freshness_weight * ranking.freshness_boost(facts.age_hours)
        + config.quality_weight
        * ranking.quality_boost(facts.finishes, exposures, facts.likes, facts.plays)
        + config.popularity_weight * popularity
        + config.following_weight
        * np.asarray([video_id in followed for video_id in facts.ids], dtype=float)
        + config.released_weight
        * np.asarray([video_id in released for video_id in facts.ids], dtype=float)
    )
    score = score + config.arm_weight * affinity
    penalty = ranking.negative_penalty(
        vectors,
        candidates.negatives,
        candidates.negative_strengths,
        config.near_duplicate_cosine,
    )
    score = score - penalty
    if taste is None:
        # A new viewer: one top video per interest arm (in the session's order: the prior, the
        # skipped categories last), the cold-start list, then trending. The list order leads;
        # the boosts and the session's skips only reorder neighbours in it.
        order: dict[int, int] = {}
        for name in ("arm", "cold_start", "trending"):
            for video_id in candidates.sources.get(name, ()):
                order.setdefault(video_id, len(order))
        rank = np.asarray([order.get(v, len(order)) for v in facts.ids], dtype=float)
        score = score + COLD_ORDER_WEIGHT * (1.0 - rank / max(len(order), 1))
    return score, penalty


def plan_page(
    candidates: PageCandidates,
    *,
    limit: int,
    explore: bool,
    rng: np.random.Generator,
    config: PlanSettings,
) -> PagePlan:
    """Choose the page's videos from its candidates (see the module docstring)."""
    facts, taste = candidates.facts, candidates.taste
    plan = PagePlan(cold_start=taste is None)
    if not facts.ids:
        return plan
    vectors = facts.vectors
    score, penalty = _scores(candidates, config)
    members = candidates.members
    personal_names = (
        ("arm", "cold_start", "trending", "following") if taste is None else PERSONAL_SOURCES
    )
    # Near-duplicates of what the user rejected are buried: out of every pool.
    buried = score < BURIED_SCORE
    personal_set = set(personal_names)
    personal = np.asarray([not members[v].isdisjoint(personal_set) for v in facts.ids]) & ~buried

    affinity = _arm_affinity(candidates)
    # The followed category's top videos (followed_arm) and their reserved slots.
    followed_arm = set(candidates.sources.get("followed_arm", ()))
    followed_category = [i for i, v in enumerate(facts.ids) if v in followed_arm]
    arm_share = min(config.arm_slot_share * candidates.arm_follow, MAX_ARM_SLOT_SHARE)
    arm_slots = int(limit * arm_share) if followed_category else 0
    explore_slots = int(round(limit * config.exploration_share)) if explore else 0
    explore_slots = min(explore_slots, limit - 1) if limit > 1 else 0
    if taste is None and candidates.sources.get("arm"):
        # A new viewer's page is a sweep of the categories: every slot explores already.
        explore_slots = 0
    if explore and candidates.rejecting:
        # Everything recent was skipped: every slot but the followed category's tries another
        # category.
        explore_slots = limit - min(arm_slots, limit - 1)
    personal_slots = limit - explore_slots
    creator_counts: dict[int, int] = {}  # one creator budget across every part of the page

    def mmr_pick(
        indexes: Sequence[int], count: int, on_page: list[int], *, capped: bool = True
    ) -> list[int]:
        """MMR over these candidates, against what is already on the page (within the
        per-creator cap unless `capped` is False)."""
        indexes = [int(i) for i in indexes]
        chosen_here = ranking.mmr_select(
            score[indexes],
            vectors[indexes],
            count,
            config.mmr_lambda,
            creators=[facts.owners[i] for i in indexes],
            max_per_creator=config.max_per_creator if capped else None,
            creator_counts=creator_counts,
            selected_vectors=vectors[on_page] if on_page else None,
            duplicate_cosine=config.page_duplicate_cosine,
        )
        return [indexes[j] for j in chosen_here]

    # Reserved picks first: followed creators' new videos, the followed category's top videos
    # (first on the page: the follow-up shows at once), then strongly co-engaged videos.
    followed = set(candidates.sources.get("following", ()))
    coengaged = candidates.coengaged
    # No slots are reserved for co-engaged videos of a category the session is skipping.
    skipped_arm = affinity < 0
    picked: list[int] = []
    reserved: tuple[tuple[list[int], int], ...] = (
        ([i for i, v in enumerate(facts.ids) if v in followed], config.following_slots),
        (followed_category, arm_slots),
        (
            [
                i
                for i, v in enumerate(facts.ids)
                if coengaged.get(v, 0) >= config.coengagement_min_count and not skipped_arm[i]
            ],
            int(personal_slots * config.coengagement_share),
        ),
    )
    if candidates.rejecting:
        # A rejecting page: the followed category, then the arms.
        reserved = ((followed_category, arm_slots),)
    for indexes, budget in reserved:
        indexes = [i for i in indexes if i not in picked and score[i] > BURIED_SCORE]
        budget = min(budget, personal_slots - len(picked))
        if indexes and budget > 0:
            picked += mmr_pick(indexes, budget, picked)
    picked_set = set(picked)
    pool = [i for i in np.flatnonzero(personal) if i not in picked_set]
    if pool and taste is not None and len(candidates.tastes) > 1:
        # Several session interests: each fills its share of the slots from the candidates
        # nearest to it.
        nearest_taste = (vectors[pool] @ np.stack(candidates.tastes).T).argmax(axis=1)
        free = personal_slots - len(picked)
        for index, count in quotas(list(enumerate(candidates.shares)), free):
            own = [i for i, t in zip(pool, nearest_taste, strict=True) if t == index]
            if own:
                picked += mmr_pick(own, count, picked)
        picked_set = set(picked)
        pool = [i for i in pool if i not in picked_set]
    if pool and personal_slots > len(picked):
        picked += mmr_pick(pool, personal_slots - len(picked), picked)
    origin = candidates.origin
    kinds = {i: _kind(origin[facts.ids[i]], taste is None) for i in picked}

    explored: list[int] = []
    if explore_slots:
        explored_kinds = exploration_picks(
            facts=facts,
            members=members,
            nearest=candidates.sources.get("nearest", ()),
            trending=candidates.sources.get("trending", ()),
            arms=candidates.sources.get("arm", ()),
            extra=candidates.sources.get("extra", ()),
            rejecting=candidates.rejecting,
            score=np.where(penalty > EXPLORE_MAX_PENALTY, BURIED_SCORE - 1.0, score),
            taken=set(picked),
            slots=explore_slots,
            creator_counts=creator_counts,
            max_per_creator=config.max_per_creator,
            rng=rng,
            duplicate_cosine=config.page_duplicate_cosine,
        )
        for index, kind in explored_kinds:
            kinds[index] = kind
        explored = [index for index, _ in explored_kinds]
    # A short personal pool or exploration: fill from whatever is left, best score first.
    # Then, if the page is still short because the candidates left are all of creators at
    # their cap (a catalogue of few creators), past the cap: a short page ends the feed, and a
    # creator's third video would never be shown at all.
    for capped in (True, False):
        chosen = picked + explored
        if len(chosen) >= limit:
            break
        chosen_set = set(chosen)
        rest = [i for i in range(len(facts.ids)) if i not in chosen_set and not buried[i]]
        for index in mmr_pick(rest, limit - len(chosen), chosen, capped=capped):
            kinds[index] = _kind(origin[facts.ids[index]], taste is None)
            picked.append(index)
    ordered = interleave(picked, explored, limit)
    plan.video_ids = [facts.ids[i] for i in ordered]
    plan.kinds = {facts.ids[i]: kinds[i] for i in ordered}
    return plan


def _kind(origin: str, cold_start: bool) -> str:
    if origin == "following":
        return "following"
    if cold_start and origin in ("cold_start", "nearest", "coengaged", "arm"):
        return "cold_start"
    if origin == "arm":
        return "explore"
    if origin in ("nearest", "coengaged", "released", "followed_arm", "sound", "hashtag"):
        return "personalized"
    if origin == "extra":
        return "explore"
    return origin  # trending / fresh / cold_start
