"""Building one For You page: taste blend, candidate sources, filters, scoring, exploration,
MMR with a creator cap, reasons."""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.conf import settings

from feed import candidates as sources
from feed import ranking, state
from feed.vectors import blend, session_gamma

PERSONAL_SOURCES = ("following", "coengaged", "nearest")
TRENDING_READ = 200
TRENDING_PERSONALISED = 30  # trending candidates of a personalised page (exploration only)
FRESH_SHORTLIST = 12  # fresh candidates per page, pre-drawn by Thompson sampling


@dataclass
class PagePlan:
    """What was picked and why, before cards are built."""

    video_ids: list[int] = field(default_factory=list)
    kinds: dict[int, str] = field(default_factory=dict)
    cold_start: bool = False


def _rng(session_id: str, page: int) -> np.random.Generator:
    # Deterministic per (session, page): a retried request gets the same page.
    return np.random.default_rng(zlib.crc32(f"{session_id}:{page}".encode()))


def plan_page(
    *,
    viewer: Any,
    user_id: int | None,
    session_id: str,
    page: int,
    limit: int,
    explore: bool,
    embedding_version: str | None,
) -> tuple[PagePlan, set[str]]:
    """Choose the page's videos. Returns the plan and the tag slugs of the viewer's recent
    positives (what "because" may name)."""
    owner = state.owner_key(user_id=user_id, session_id=session_id)
    feed_state = state.feed_state_load(
        owner=owner,
        session_id=session_id,
        trending_count=TRENDING_READ,
        embedding_version=embedding_version,
    )
    if feed_state.trending_missing:
        from feed.trending import trending_refresh

        trending_refresh()
        feed_state = state.feed_state_load(
            owner=owner,
            session_id=session_id,
            trending_count=TRENDING_READ,
            embedding_version=embedding_version,
        )
    dim = feed_state.version_dim
    if embedding_version and dim is None:
        dim = sources.version_dim(embedding_version)
        if dim:
            state.version_dim_remember(embedding_version, dim)
    session = feed_state.session
    if session.vector is not None and dim and len(session.vector) != dim:
        session = state.SessionTaste()  # the session was built in another embedding version
    gamma = session_gamma(session.weight, settings.FEED_SESSION_GAMMA_K)
    # The HNSW search starts first, on a side connection: it runs while the context and the
    # other sources' facts are read.
    nearest = None
    if embedding_version and dim:
        nearest = sources.nearest_start(
            user_id=user_id,
            session=session.vector,
            gamma=gamma,
            embedding_version=embedding_version,
            dim=dim,
            limit=settings.FEED_CANDIDATES,
        )
    context = sources.viewer_context(
        user_id=user_id,
        embedding_version=embedding_version,
        recent_positives=feed_state.recent_positives,
        coengagement_limit=settings.FEED_COENGAGEMENT_CANDIDATES,
    )
    long_term = context.long_term
    if (
        long_term is not None
        and session.vector is not None
        and len(session.vector) != len(long_term)
    ):  # another version's session, when the version's dimension was not known
        session = state.SessionTaste()
    taste = blend(long_term, session.vector, gamma)
    excluded = feed_state.served | feed_state.seen | context.hidden_ids | {0}
    rng = _rng(session_id, page)

    coengaged = context.coengaged
    following = context.following
    trending = [video_id for video_id in feed_state.trending if video_id]
    cold_start = list(feed_state.cold_start or []) if taste is None else []
    if taste is not None:
        # A personalised page takes only exploration picks from trending: its head is enough.
        trending = [v for v in trending if v not in excluded][:TRENDING_PERSONALISED]
    fresh = _fresh_shortlist(feed_state, excluded, rng)
    others = [following, coengaged, cold_start, trending, fresh]
    rows = sources.facts_read(
        viewer=viewer,
        video_ids=list({v: None for ids in others for v in ids if v not in excluded}),
        embedding_version=embedding_version,
    )
    nearest_ids, nearest_vectors = nearest.result() if nearest is not None else ([], {})
    if taste is None:
        nearest_ids = []
    nearest_rank = {video_id: rank for rank, video_id in enumerate(nearest_ids)}
    rows.update(
        sources.facts_read(
            viewer=viewer,
            video_ids=[v for v in nearest_ids if v not in excluded and v not in rows],
            embedding_version=embedding_version,
            vectors=nearest_vectors,
        )
    )

    origin: dict[int, str] = {}  # first source (in this priority order) that proposed it
    members: dict[int, set[str]] = {}  # every source that proposed it
    for name, ids in (
        ("following", following),
        ("coengaged", coengaged),
        ("nearest", nearest_rank),
        ("cold_start", cold_start),
        ("trending", trending),
        ("fresh", fresh),
    ):
        for video_id in ids:
            if video_id not in excluded:
                origin.setdefault(video_id, name)
                members.setdefault(video_id, set()).add(name)
    facts = sources.facts_assemble(
        rows=rows, video_ids=list(origin), dim=len(taste) if taste is not None else 0
    )
    plan = PagePlan(cold_start=taste is None)
    if not facts.ids:
        return plan, context.liked_tags

    vectors = facts.vectors
    similarity = vectors @ taste if taste is not None else np.zeros(len(facts.ids))
    co_counts = np.asarray([coengaged.get(video_id, 0) for video_id in facts.ids], dtype=float)
    co_boost = np.log1p(co_counts) / np.log1p(co_counts.max()) if co_counts.max() > 0 else 0.0
    exposures = np.maximum(facts.impressions, facts.plays)
    followed = set(following)
    score = (
        similarity
        + settings.FEED_COENGAGEMENT_WEIGHT * co_boost
        + settings.FEED_FRESHNESS_WEIGHT * ranking.freshness_boost(facts.age_hours)
        + settings.FEED_QUALITY_WEIGHT
        * ranking.quality_boost(facts.finishes, exposures, facts.likes, facts.plays)
        + settings.FEED_FOLLOWING_WEIGHT
        * np.asarray([video_id in followed for video_id in facts.ids], dtype=float)
    )
    negatives, strengths = _negatives(session, context.hidden_vectors, settings, vectors.shape[1])
    score = score - ranking.negative_penalty(
        vectors, negatives, strengths, settings.FEED_NEAR_DUPLICATE_COSINE
    )

    if taste is None:  # cold start: category tops first, then trending, by their list order
        order = {
            vid: i
            for i, vid in enumerate(cold_start + [v for v in trending if v not in cold_start])
        }
        score = score - 1e-3 * np.asarray([order.get(v, len(order)) for v in facts.ids])
        personal_names = ("cold_start", "trending", "following")
    else:
        personal_names = PERSONAL_SOURCES
    # Near-duplicates of what the user rejected are buried: out of every pool.
    buried = score < -5
    personal_set = set(personal_names)
    personal = np.asarray([not members[v].isdisjoint(personal_set) for v in facts.ids]) & ~buried

    explore_slots = int(round(limit * settings.FEED_EXPLORATION_SHARE)) if explore else 0
    explore_slots = min(explore_slots, limit - 1) if limit > 1 else 0
    personal_slots = limit - explore_slots
    creator_counts: dict[int, int] = {}  # one creator budget across every part of the page

    def mmr_pick(indexes: Sequence[int], count: int, on_page: list[int]) -> list[int]:
        """MMR over these candidates, against what is already on the page."""
        indexes = [int(i) for i in indexes]
        chosen_here = ranking.mmr_select(
            score[indexes],
            vectors[indexes],
            count,
            settings.FEED_MMR_LAMBDA,
            creators=[facts.owners[i] for i in indexes],
            max_per_creator=settings.FEED_MAX_PER_CREATOR,
            creator_counts=creator_counts,
            selected_vectors=vectors[on_page] if on_page else None,
            duplicate_cosine=settings.FEED_PAGE_DUPLICATE_COSINE,
        )
        return [indexes[j] for j in chosen_here]

    # Reserved picks first: followed creators' new videos, then strongly co-engaged videos.
    picked: list[int] = []
    reserved = (
        ([i for i, v in enumerate(facts.ids) if v in followed], settings.FEED_FOLLOWING_SLOTS),
        (
            [
                i
                for i, v in enumerate(facts.ids)
                if coengaged.get(v, 0) >= settings.FEED_COENGAGEMENT_MIN_COUNT
            ],
            int(personal_slots * settings.FEED_COENGAGEMENT_SHARE),
        ),
    )
    for indexes, budget in reserved:
        indexes = [i for i in indexes if i not in picked and score[i] > -5]
        budget = min(budget, personal_slots - len(picked))
        if indexes and budget > 0:
            picked += mmr_pick(indexes, budget, picked)
    picked_set = set(picked)
    pool = [i for i in np.flatnonzero(personal) if i not in picked_set]
    if pool:
        picked += mmr_pick(pool, personal_slots - len(picked), picked)
    kinds = {i: _kind(origin[facts.ids[i]], taste is None) for i in picked}

    explored: list[int] = []
    if explore_slots:
        explored = _exploration(
            facts=facts,
            members=members,
            nearest_rank=nearest_rank,
            score=score,
            taken=set(picked),
            slots=explore_slots,
            creator_counts=creator_counts,
            rng=rng,
            trending=trending,
        )
        for index, kind in explored:
            kinds[index] = kind
    # A short personal pool or exploration: fill from whatever is left, best score first.
    chosen = picked + [index for index, _ in explored]
    if len(chosen) < limit:
        chosen_set = set(chosen)
        rest = [i for i in range(len(facts.ids)) if i not in chosen_set and not buried[i]]
        if rest:
            for index in mmr_pick(rest, limit - len(chosen), chosen):
                kinds[index] = _kind(origin[facts.ids[index]], taste is None)
                picked.append(index)
    ordered = _interleave(picked, [index for index, _ in explored], limit)
    plan.video_ids = [facts.ids[i] for i in ordered]
    plan.kinds = {facts.ids[i]: kinds[i] for i in ordered}
    return plan, context.liked_tags


def _fresh_shortlist(
    feed_state: state.FeedState, excluded: set[int], rng: np.random.Generator
) -> list[int]:
    """The fresh videos this page considers: a Thompson draw on completion over the whole fresh
    list, from the counts of its last computation, keeps the FRESH_SHORTLIST most promising
    (the exploration step then draws again among them on live counts)."""
    ids = [v for v in feed_state.fresh or [] if v not in excluded]
    if len(ids) <= FRESH_SHORTLIST:
        return ids
    stats = np.asarray([feed_state.fresh_stats.get(v, (0.0, 0.0)) for v in ids])
    draws = ranking.thompson_sample(stats[:, 0], stats[:, 1], rng)
    return [ids[i] for i in np.argsort(-draws, kind="stable")[:FRESH_SHORTLIST]]


def _negatives(session: state.SessionTaste, hidden: np.ndarray, config: Any, dim: int):  # noqa: ANN202
    rows: list[np.ndarray] = []
    strengths: list[float] = []
    if len(session.strengths) and session.negatives.shape[1] == dim:
        rows.extend(session.negatives)
        strengths.extend(session.strengths.tolist())
    if hidden.size and hidden.shape[1] == dim:
        rows.extend(hidden)
        strengths.extend([config.FEED_NOT_INTERESTED_PENALTY] * len(hidden))
    if not rows:
        return np.zeros((0, dim), dtype=np.float32), []
    return np.stack(rows), strengths


def _kind(origin: str, cold_start: bool) -> str:
    if origin == "following":
        return "following"
    if cold_start and origin in ("cold_start", "nearest", "coengaged"):
        return "cold_start"
    if origin in ("nearest", "coengaged"):
        return "personalized"
    return origin  # trending / fresh / cold_start


def _exploration(
    *,
    facts: sources.CandidateFacts,
    members: dict[int, set[str]],
    nearest_rank: dict[int, int],
    score: np.ndarray,
    taken: set[int],
    slots: int,
    creator_counts: dict[int, int],
    rng: np.random.Generator,
    trending: list[int],
) -> list[tuple[int, str]]:
    """Exploration picks: fresh videos by Thompson sampling on completion (half the slots,
    at least one), then alternately the top trending video and the most different video among
    the nearest 500 (diverse-within-top-500)."""
    max_per_creator = settings.FEED_MAX_PER_CREATOR
    ids = facts.ids
    chosen: list[tuple[int, str]] = []

    def allowed(index: int) -> bool:
        return index not in taken and creator_counts.get(facts.owners[index], 0) < max_per_creator

    def take(index: int, kind: str) -> None:
        taken.add(index)
        creator_counts[facts.owners[index]] = creator_counts.get(facts.owners[index], 0) + 1
        chosen.append((index, kind))

    fresh = [i for i, video_id in enumerate(ids) if "fresh" in members[video_id] and score[i] > -5]
    if fresh:
        draws = ranking.thompson_sample(
            facts.finishes[fresh], np.maximum(facts.impressions, facts.plays)[fresh], rng
        )
        for j in np.argsort(-draws):
            if len(chosen) >= max(1, slots // 2):
                break
            if allowed(fresh[j]):
                take(fresh[j], "fresh")
    position = {video_id: i for i, video_id in enumerate(ids)}
    trending_queue = [position[v] for v in trending if v in position]
    diverse_pool = [position[v] for v in nearest_rank if v in position]
    turn = 0
    while len(chosen) < slots:
        progress = False
        for kind in ("trending", "explore") if turn % 2 == 0 else ("explore", "trending"):
            if len(chosen) >= slots:
                break
            if kind == "trending":
                candidate = next((i for i in trending_queue if allowed(i) and score[i] > -5), None)
            else:
                candidate = _most_different(facts.vectors, diverse_pool, taken, allowed, score)
            if candidate is not None:
                take(candidate, kind)
                progress = True
        turn += 1
        if not progress:
            break
    return chosen


def _most_different(vectors, pool, taken, allowed, score):  # noqa: ANN001, ANN202
    options = [i for i in pool if allowed(i) and score[i] > -5]
    if not options:
        return None
    if not taken:
        return options[0]
    on_page = vectors[sorted(taken)]
    closeness = (vectors[options] @ on_page.T).max(axis=1)
    return options[int(np.argmin(closeness))]


def _interleave(personal: list[int], explored: list[int], limit: int) -> list[int]:
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
