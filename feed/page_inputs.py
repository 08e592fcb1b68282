"""Reading what one For You page is planned from: the viewer's feed state in Redis, the HNSW
search and the viewer's context in PostgreSQL (at the same time, on two connections), then the
facts of every candidate. `feed.page_plan.plan_page` turns the result into a page."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.conf import settings

from feed import candidates as sources
from feed import interest_arms, state
from feed.exploration import exploration_extra, exploration_keys
from feed.page_model import CandidateFacts, PageCandidates, PlanSettings
from feed.page_plan import candidate_origins, fresh_shortlist
from feed.session_interests import slot_shares
from feed.taste_maths import blend, session_gamma
from feed.trending import trending_refresh
from tiktok.db.sql import int_array, table
from videos.models import Video
from videos.visibility import visible_where

TRENDING_READ = 200
TRENDING_PERSONALISED = 30  # trending candidates of a personalised page (exploration only)
# A viewer without a taste with fewer unseen trending videos than this reads the rest of the
# list (FEED_TRENDING_SIZE): with the head alone, the feed of a catalogue of 260 older videos
# ended after 200 of them.
TRENDING_UNSEEN_MIN = 60
# Fewer unseen videos the viewer may see than this among the nearest: the search is repeated,
# excluding the seen ones and checking visibility inside the scan (cheap searches for
# everybody, full pools for heavy viewers and those whose neighbourhood is not for them).
NEAREST_UNSEEN_MIN = 100
# A second session interest with at least this share of the page gets its own (smaller) search.
SECOND_SEARCH_MIN_SHARE = 0.15
# Fewer creators than this among the nearest (a page of 8 at 2 per creator needs 4): other
# creators' neighbours are searched for as well.
NEAREST_CREATORS_MIN = 4
SECOND_SEARCH_LIMIT = 100


def plan_settings() -> PlanSettings:
    """The planner's knobs from the FEED_* settings."""
    return PlanSettings(
        exploration_share=settings.FEED_EXPLORATION_SHARE,
        mmr_lambda=settings.FEED_MMR_LAMBDA,
        max_per_creator=settings.FEED_MAX_PER_CREATOR,
        coengagement_weight=settings.FEED_COENGAGEMENT_WEIGHT,
        coengagement_share=settings.FEED_COENGAGEMENT_SHARE,
        coengagement_min_count=settings.FEED_COENGAGEMENT_MIN_COUNT,
        coengagement_arm_damping=settings.FEED_COENGAGEMENT_ARM_DAMPING,
        following_slots=settings.FEED_FOLLOWING_SLOTS,
        page_duplicate_cosine=settings.FEED_PAGE_DUPLICATE_COSINE,
        near_duplicate_cosine=settings.FEED_NEAR_DUPLICATE_COSINE,
        freshness_weight=settings.FEED_FRESHNESS_WEIGHT,
        quality_weight=settings.FEED_QUALITY_WEIGHT,
        popularity_weight=settings.FEED_POPULARITY_WEIGHT,
        following_weight=settings.FEED_FOLLOWING_WEIGHT,
        released_weight=settings.FEED_RELEASED_WEIGHT,
        arm_weight=settings.FEED_ARM_WEIGHT,
        arm_slot_share=settings.FEED_ARM_SLOT_SHARE,
    )


# A page that finds the trending lists missing: the request that claims their rebuild keeps the
# claim at most this long; the others wait this long for it, looking this often.
LISTS_REBUILD_CLAIM_SECONDS = 120
LISTS_REBUILD_WAIT_SECONDS = 5.0
LISTS_REBUILD_POLL_SECONDS = 0.1


@dataclass
class PageInputs:
    candidates: PageCandidates
    liked_tags: set[str]  # tag slugs of the viewer's recent positives (what "because" may name)
    # Candidates sharing a sound / a hashtag with the recent positives (the latter's names).
    same_sound: set[int] = field(default_factory=set)
    same_hashtag: dict[int, str] = field(default_factory=dict)


def _feed_state(owner: str, session_id: str, embedding_version: str | None) -> state.FeedState:
    def load() -> state.FeedState:
        return state.feed_state_load(
            owner=owner,
            session_id=session_id,
            trending_count=TRENDING_READ,
            embedding_version=embedding_version,
            extra_keys=exploration_keys(),
        )

    feed_state = load()
    if not feed_state.trending_missing:
        return feed_state
    # The lists are gone (a fresh install, a Redis restart without persistence, a flush): one
    # request recomputes them while the others wait for it a little, then page without them.
    # Every request recomputing at once ran the whole trending aggregate once per request.
    if state.lists_refresh_claim(seconds=LISTS_REBUILD_CLAIM_SECONDS):
        try:
            trending_refresh()
        finally:
            state.lists_refresh_release()
        return load()
    deadline = time.monotonic() + LISTS_REBUILD_WAIT_SECONDS
    while feed_state.trending_missing and time.monotonic() < deadline:
        time.sleep(LISTS_REBUILD_POLL_SECONDS)
        feed_state = load()
    return feed_state


def page_inputs_read(
    *,
    viewer: Any,
    user_id: int | None,
    session_id: str,
    embedding_version: str | None,
    rng: np.random.Generator,
    released: Sequence[int] = (),
) -> PageInputs:
    """Everything a page is planned from, in three round trips to PostgreSQL (two at once).
    `released`: the unshown cards a re-planning client dropped (candidates again, kept when
    the taste has not moved: a re-plan changes what it has to, not everything)."""
    owner = state.owner_key(user_id=user_id, session_id=session_id)
    feed_state = _feed_state(owner, session_id, embedding_version)
    dim = feed_state.version_dim
    if embedding_version and dim is None:
        dim = sources.version_dim(embedding_version)
        if dim:
            state.version_dim_remember(embedding_version, dim)
    session = feed_state.session
    if session.vector is not None and dim and len(session.vector) != dim:
        session = state.SessionTaste()  # the session was built in another embedding version
    gamma = session_gamma(session.weight, settings.FEED_SESSION_GAMMA_K)
    # The session's interests share the page (feed/session_interests.py): the best one's centre
    # stands in for the session taste of the design's blend; a second one with a real share of
    # the page gets its own, smaller search.
    interests = session.interests
    shares = slot_shares(interests, rng) if dim else []
    shares = [(i, share) for i, share in shares if len(interests.components[i].centre) == dim]
    centres = [interests.components[i].centre for i, _ in shares[:2]]
    session_vector = centres[0] if centres else session.vector

    # The HNSW searches start first, on side connections: they run while the context and the
    # other sources' facts are read.
    def search(centre: np.ndarray | None, limit: int, **options: Any) -> sources.NearestSearch:
        return sources.nearest_start(
            user_id=user_id,
            session=centre,
            gamma=gamma,
            embedding_version=embedding_version,
            dim=dim,
            limit=limit,
            **options,
        )

    searches = []
    if embedding_version and dim:
        searches.append(search(session_vector, settings.FEED_CANDIDATES))
        if len(centres) > 1 and shares[1][1] >= SECOND_SEARCH_MIN_SHARE:
            searches.append(search(centres[1], SECOND_SEARCH_LIMIT))
    context = sources.viewer_context(
        user_id=user_id,
        embedding_version=embedding_version,
        recent_positives=feed_state.recent_positives,
        coengagement_limit=settings.FEED_COENGAGEMENT_CANDIDATES,
        coengagement_decay=settings.FEED_COENGAGEMENT_DECAY,
    )
    long_term = context.long_term
    if (
        long_term is not None
        and session.vector is not None
        and len(session.vector) != len(long_term)
    ):  # another version's session, when the version's dimension was not known
        session = state.SessionTaste()
    if long_term is not None and dim and len(long_term) != dim:
        long_term = None
    taste = blend(long_term, session_vector, gamma)
    tastes = [taste] if taste is not None else []
    if taste is not None and len(searches) > 1:
        tastes.append(blend(long_term, centres[1], gamma))
    excluded = feed_state.served | feed_state.seen | context.hidden_ids | {0}
    arms = interest_arms.arms_current(feed_state.arms_version)
    arm_picks: list[int] = []
    followed: list[int] = []
    # A new viewer's skips count too: they steer the category sweep of the cold-start pages.
    affinity = interest_arms.arm_affinity(interests.arms)
    follow = interest_arms.arm_follow(interests.arms) if taste is not None else {}
    if arms is not None and follow:
        followed = interest_arms.followed_picks(arms, follow, excluded)
    if arms is not None:
        order = interest_arms.arm_order(arms, interests.arms, rng)
        # A rejecting session and a new viewer sweep the categories: one top video of each.
        sweep = interests.rejecting or taste is None
        arm_picks = interest_arms.arm_picks(
            arms, order, excluded, settings.FEED_PAGE_SIZE_MAX if sweep else 4
        )

    trending = [video_id for video_id in feed_state.trending if video_id]
    cold_start = list(feed_state.cold_start or []) if taste is None else []
    if taste is not None:
        # A personalised page takes only exploration picks from trending: its head is enough.
        trending = [v for v in trending if v not in excluded][:TRENDING_PERSONALISED]
    elif (
        len(feed_state.trending) >= TRENDING_READ
        and sum(1 for v in trending if v not in excluded) < TRENDING_UNSEEN_MIN
    ):
        deeper = state.trending_read(
            start=TRENDING_READ, count=settings.FEED_TRENDING_SIZE - TRENDING_READ
        )
        trending = [v for v in trending if v not in excluded] + [
            v for v in deeper if v not in excluded
        ]
    fresh = fresh_shortlist(feed_state.fresh or [], feed_state.fresh_stats, excluded, rng)
    released = [int(v) for v in released if v not in excluded] if taste is not None else []
    same_sound = [v for v in context.same_sound if v not in excluded]
    same_hashtag = [v for v in context.same_hashtag if v not in excluded]
    extra = exploration_extra(excluded, feed_state.extra)
    others = [
        context.following,
        list(context.coengaged),
        same_sound,
        same_hashtag,
        extra,
        released,
        cold_start,
        trending,
        fresh,
        arm_picks,
        followed,
    ]
    # A viewer with more not-interested videos than the context lists: the facts leave out
    # the others.
    hidden_of = None if context.hidden_complete else user_id
    rows = sources.facts_read(
        viewer=viewer,
        video_ids=list({v: None for ids in others for v in ids if v not in excluded}),
        embedding_version=embedding_version,
        hidden_of=hidden_of,
    )
    nearest_ids: list[int] = []
    nearest_vectors: dict = {}
    for started in searches:
        ids, vectors = started.result()
        nearest_ids += [v for v in ids if v not in nearest_vectors]
        nearest_vectors.update(vectors)
    if taste is None:
        nearest_ids = []

    def nearest_facts_read() -> None:
        rows.update(
            sources.facts_read(
                viewer=viewer,
                video_ids=[v for v in nearest_ids if v not in excluded and v not in rows],
                embedding_version=embedding_version,
                vectors=nearest_vectors,
                hidden_of=hidden_of,
            )
        )

    searching_again = taste is not None and dim

    def search_unseen(
        video_where: tuple[str, list] | None = None,
    ) -> tuple[list[int], dict[int, np.ndarray]]:
        """The session's search again, leaving out what the viewer has seen (and what does not
        meet `video_where`) inside the scan, which (pgvector 0.8's iterative scan) then reaches
        further."""
        return search(
            session_vector,
            settings.FEED_CANDIDATES,
            excluded=sorted(excluded - {0}),
            inline=True,
            video_where=video_where,
        ).result()

    if searching_again and sum(1 for v in nearest_ids if v not in excluded) < NEAREST_UNSEEN_MIN:
        # The viewer has seen most of their neighbourhood.
        nearest_ids, nearest_vectors = search_unseen()
    nearest_facts_read()
    unseen = [v for v in nearest_ids if v not in excluded]
    offered = sum(1 for v in unseen if v in rows)
    if (
        searching_again
        and offered < NEAREST_UNSEEN_MIN
        and 4 * (len(unseen) - offered) >= len(unseen) > 0
    ):
        # Much of it is not for them (a blocked or private creator's hundreds of videos there,
        # hidden ones): searched again with visibility checked inside the scan. Without it, a
        # blocked prolific creator emptied the personal part of every page. (Only then: the
        # check costs a lookup per row the scan reads.)
        nearest_ids, nearest_vectors = search_unseen(visible_where(viewer=viewer))
        nearest_facts_read()
    owners = {rows[v].owner for v in nearest_ids if v not in excluded and v in rows}
    if searching_again and 0 < len(owners) < NEAREST_CREATORS_MIN:
        # One or two creators fill the whole neighbourhood (an `ingest_folder --user` import of
        # hundreds of videos): the page's per-creator cap had nothing else to take and gave
        # way, seven of eight cards theirs. Other creators' neighbours are searched for too.
        where, params = visible_where(viewer=viewer)
        others, others_vectors = search_unseen(
            (
                f"({where}) AND {table(Video)}.owner_id <> ALL(%s::bigint[])",
                [*params, int_array(sorted(owners))],
            )
        )
        nearest_ids += [v for v in others if v not in nearest_vectors]
        nearest_vectors.update(others_vectors)
        nearest_facts_read()
    candidate_sources = {
        "following": context.following,
        "coengaged": list(context.coengaged),
        "nearest": nearest_ids,
        "released": released,
        "followed_arm": followed,
        "cold_start": cold_start,
        "trending": trending,
        "fresh": fresh,
        "arm": arm_picks,
        "sound": same_sound,
        "hashtag": same_hashtag,
        "extra": extra,
    }
    origin, members = candidate_origins(candidate_sources, excluded)
    facts = sources.facts_assemble(
        rows=rows, video_ids=list(origin), dim=len(taste) if taste is not None else 0
    )
    negatives, strengths = _negatives(session, context.hidden_vectors, facts)
    arm_affinity = np.zeros(len(facts.ids))
    # The session counts against the long-term taste as much as in the blend, or as much as
    # it makes of the long-term evidence when that is more (a new viewer's long-term taste is
    # this session).
    weight = 1.0
    if long_term is not None:
        weight = max(gamma, min(1.0, session.weight / max(context.long_term_weight, 1e-9)))
    if affinity:
        # The session's liked and skipped categories lift or lower their videos, as much as the
        # session counts against the long-term taste in the blend (one like in a new session
        # of a warm viewer changes the page a little; a viewer without history follows it).
        arm_of = state.arms_of(facts.ids)
        arm_affinity = weight * np.asarray(
            [affinity.get(arm_of.get(v, ""), 0.0) for v in facts.ids]
        )
    return PageInputs(
        candidates=PageCandidates(
            taste=taste,
            sources=candidate_sources,
            coengaged=context.coengaged,
            coengaged_scores=context.coengaged_scores,
            facts=facts,
            origin=origin,
            members=members,
            negatives=negatives,
            negative_strengths=strengths,
            tastes=tastes,
            shares=[share for _, share in shares[: len(tastes)]] if len(tastes) > 1 else [1.0],
            rejecting=interests.rejecting and taste is not None,
            arm_affinity=arm_affinity,
            arm_follow=weight * max(follow.values(), default=0.0),
        ),
        liked_tags=context.liked_tags,
        same_sound=set(same_sound),
        same_hashtag={v: context.same_hashtag[v] for v in same_hashtag},
    )


def _negatives(
    session: state.SessionTaste, hidden: np.ndarray, facts: CandidateFacts
) -> tuple[np.ndarray, list[float]]:
    """Recent negatives of the session (skips) and the latest not-interested videos, as rows
    of the candidates' dimension with their strengths."""
    dim = facts.vectors.shape[1]
    rows: list[np.ndarray] = []
    strengths: list[float] = []
    if len(session.strengths) and session.negatives.shape[1] == dim:
        rows.extend(session.negatives)
        strengths.extend(session.strengths.tolist())
    if hidden.size and hidden.shape[1] == dim:
        rows.extend(hidden)
        strengths.extend([settings.FEED_NOT_INTERESTED_PENALTY] * len(hidden))
    if not rows:
        return np.zeros((0, dim), dtype=np.float32), []
    return np.stack(rows), strengths
