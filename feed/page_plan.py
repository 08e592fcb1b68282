"""Planning one For You page from its candidates (pure numpy: no Django, no Redis, no SQL).

`plan_page` scores the candidates (taste similarity, co-engagement, freshness, quality, popularity,
following, minus what resembles recent negatives), fills the reserved slots (followed creators,
strongly co-engaged videos), the personal slots by MMR with a creator cap, the exploration slots
(fresh videos by Thompson sampling, trending, the most different of the nearest), and
interleaves them. A page goes past the creator cap only when nothing else is left to fill it
(a short page ends the feed). `feed.page_inputs` reads what it needs; the evaluator and tests
call it directly.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from feed import ranking
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
BURIED_SCORE = -5.0  # below this a candidate (a near-duplicate of a rejected video) is never shown
# Exploration never picks a video this much like something the session just rejected (a skip's
# full penalty is 0.35 at cosine 1; 0.15 is about cosine 0.7).
EXPLORE_MAX_PENALTY = 0.15
# The followed category's reserved slots take at most this share of a page (the rest stays
# the taste's, the co-engagement's and exploration's: a binge keeps a diverse page).
MAX_ARM_SLOT_SHARE = 0.5
# A new viewer's page follows its list order (category tops first): the order term spans this
# much, more than every boost together.
COLD_ORDER_WEIGHT = 2.0


@dataclass(frozen=True)
class PlanSettings:
    """The ranking knobs (FEED_* settings; defaults follow the design)."""

    exploration_share: float = 0.2
    mmr_lambda: float = 0.7
    max_per_creator: int = 2
    coengagement_weight: float = 2.0
    coengagement_share: float = 0.25
    coengagement_min_count: int = 2
    following_slots: int = 2
    page_duplicate_cosine: float = 0.97
    near_duplicate_cosine: float = 0.92
    freshness_weight: float = 0.05
    quality_weight: float = 0.1
    popularity_weight: float = 0.3
    following_weight: float = 0.1
    released_weight: float = 0.05  # a re-plan keeps the cards it dropped unless others beat them
    arm_weight: float = 0.6  # times the session's affinity for the candidate's category
    # The category the session follows gets this share of the page times its follow share
    # (`PageCandidates.arm_follow`), as reserved slots for its top videos: a hit after a sweep
    # is followed at once.
    arm_slot_share: float = 1.0
    # A category the session skips loses its co-engagement and popularity lifts: both are
    # multiplied by clip(1 + damping * affinity, 0, 1) (other viewers' evidence, or the past
    # interest's, against what this session is doing).
    coengagement_arm_damping: float = 1.0


@dataclass
class CandidateFacts:
    """Column arrays over the candidates the viewer may see, in one order."""

    ids: list[int]
    owners: list[int]
    age_hours: np.ndarray
    impressions: np.ndarray
    plays: np.ndarray
    finishes: np.ndarray
    likes: np.ndarray
    vectors: np.ndarray
    has_vector: np.ndarray


@dataclass
class PageCandidates:
    """Everything a page is planned from."""

    taste: np.ndarray | None  # the blended taste; None: cold start
    sources: dict[str, list[int]]  # candidate ids per source (SOURCE_ORDER names), best first
    coengaged: dict[int, int]  # co-engagement counts with the recent positives
    facts: CandidateFacts  # of every candidate the viewer may see, in `origin` order
    origin: dict[int, str]  # first source (in SOURCE_ORDER) that proposed each candidate
    members: dict[int, set[str]]  # every source that proposed each candidate
    negatives: np.ndarray  # vectors of recent negatives (skips, not interested), [n, dim]
    negative_strengths: list[float]
    # The session's interests (feed/session_interests.py): one blended taste per interest, the
    # first being `taste`, and each one's share of the personal slots.
    tastes: list[np.ndarray] = field(default_factory=list)
    shares: list[float] = field(default_factory=lambda: [1.0])
    rejecting: bool = False  # the session skips everything: explore by category (arm)
    # The session's affinity for each candidate's category (feed.interest_arms.arm_affinity).
    arm_affinity: np.ndarray | None = None
    # The share of the page the session asks for the category it follows most (its
    # followed_arm candidates; feed.interest_arms.arm_follow, weighted like the affinity).
    arm_follow: float = 0.0
    # Item-kNN's score of each co-engaged candidate (feed.candidates.viewer_context).
    coengaged_scores: dict[int, float] = field(default_factory=dict)


@dataclass
class PagePlan:
    """What was picked and why, before cards are built."""

    video_ids: list[int] = field(default_factory=list)
    kinds: dict[int, str] = field(default_factory=dict)
    cold_start: bool = False


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
        explored_kinds = _exploration(
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


def _exploration(
    *,
    facts: CandidateFacts,
    members: dict[int, set[str]],
    nearest: Sequence[int],
    trending: Sequence[int],
    arms: Sequence[int],
    rejecting: bool,
    extra: Sequence[int] = (),
    score: np.ndarray,
    taken: set[int],
    slots: int,
    creator_counts: dict[int, int],
    max_per_creator: int,
    rng: np.random.Generator,
) -> list[tuple[int, str]]:
    """Exploration picks: fresh videos by Thompson sampling on completion (half the slots,
    at least one), then alternately the top trending video and another category's top video
    (the arms, in the session's prior order), or the most different video among the nearest
    when no arm is left. On each of those turns the best-scoring registered extra candidate
    (`feed.exploration`) competes with the turn's video (trending's or the arm's): the higher
    score takes the slot, as "explore". A rejecting session takes the arms first, for every slot."""
    ids = facts.ids
    chosen: list[tuple[int, str]] = []
    position = {video_id: i for i, video_id in enumerate(ids)}
    arm_queue = [position[v] for v in arms if v in position]
    extra_pool = [position[v] for v in extra if v in position]

    def allowed(index: int) -> bool:
        return index not in taken and creator_counts.get(facts.owners[index], 0) < max_per_creator

    def take(index: int, kind: str) -> None:
        taken.add(index)
        creator_counts[facts.owners[index]] = creator_counts.get(facts.owners[index], 0) + 1
        chosen.append((index, kind))

    if rejecting:
        for index in arm_queue:
            if len(chosen) >= slots:
                return chosen
            if allowed(index) and score[index] > BURIED_SCORE:
                take(index, "explore")
    fresh = [
        i
        for i, video_id in enumerate(ids)
        if "fresh" in members[video_id] and score[i] > BURIED_SCORE
    ]
    if fresh:
        draws = ranking.thompson_sample(
            facts.finishes[fresh], np.maximum(facts.impressions, facts.plays)[fresh], rng
        )
        for j in np.argsort(-draws):
            if len(chosen) >= max(1, slots // 2):
                break
            if allowed(fresh[j]):
                take(fresh[j], "fresh")
    trending_queue = [position[v] for v in trending if v in position]
    diverse_pool = [position[v] for v in nearest if v in position]
    turn = 0
    while len(chosen) < slots:
        progress = False
        for kind in ("trending", "explore") if turn % 2 == 0 else ("explore", "trending"):
            if len(chosen) >= slots:
                break
            if kind == "trending":
                candidate = next(
                    (i for i in trending_queue if allowed(i) and score[i] > BURIED_SCORE), None
                )
            else:
                candidate = next(
                    (i for i in arm_queue if allowed(i) and score[i] > BURIED_SCORE), None
                )
            challenger = _best_extra(extra_pool, allowed, score)
            if challenger is not None and (
                candidate is None or score[challenger] > score[candidate]
            ):
                candidate, kind = challenger, "explore"
            if candidate is None and kind == "explore":
                candidate = _most_different(facts.vectors, diverse_pool, taken, allowed, score)
            if candidate is not None:
                take(candidate, kind)
                progress = True
        turn += 1
        if not progress:
            break
    return chosen


def _best_extra(pool, allowed, score):  # noqa: ANN001, ANN202
    options = [i for i in pool if allowed(i) and score[i] > BURIED_SCORE]
    return max(options, key=lambda i: score[i]) if options else None


def _most_different(vectors, pool, taken, allowed, score):  # noqa: ANN001, ANN202
    options = [i for i in pool if allowed(i) and score[i] > BURIED_SCORE]
    if not options:
        return None
    if not taken:
        return options[0]
    on_page = vectors[sorted(taken)]
    closeness = (vectors[options] @ on_page.T).max(axis=1)
    return options[int(np.argmin(closeness))]


def interleave(personal: list[int], explored: list[int], limit: int) -> list[int]:
    """Personal picks in order with exploration items spread evenly through the page."""
    total = min(limit, len(personal) + len(explored))
    slots = {int((k + 1) * total / (len(explored) + 1)) for k in range(len(explored))}
    result: list[int] = []
    personal_iter, explored_iter = iter(personal), iter(explored)
    for index in range(total):
        source = explored_iter if index in slots else personal_iter
        item = next(source, None)
        if item is None:
            item = next(personal_iter if source is explored_iter else explored_iter, None)
        if item is not None:
            result.append(item)
    return result
