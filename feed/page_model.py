"""What a For You page is planned from and what planning gives back (data only: no Django, no
Redis, no SQL): the ranking knobs, the candidates' column facts, everything a page is planned
from, the plan. `feed.page_inputs` fills them; `feed.page_plan` and `feed.page_exploration`
read them."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

BURIED_SCORE = -5.0  # below this a candidate (a near-duplicate of a rejected video) is never shown


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
