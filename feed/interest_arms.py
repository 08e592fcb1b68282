"""Interest arms: the catalogue's broad categories, as exploration explores them.

A video's arm is the broad category of its first active tag (the taxonomy's TagCategory), or
that tag itself when it has no category (a catalogue whose tags are already coarse
categories). `arms_refresh` (run with the trending lists) stores in Redis, for every arm, its
most popular videos, its share of engagement and a prior "viewers who engaged with arm A also
engaged with arm B" (co-engagement between arms), plus the arm of every video (so recording
events can count them per arm without a database read).

`arm_order` ranks the arms for one session: sampling without replacement in proportion to the
prior (engagement share, mixed with the transitions from the arms this session liked), with
the arms this session liked brought forward (the follow-up) and those it skipped pushed back
(a skip weighs three finishes). A session that is rejecting everything sees one top
video of each arm in that order (`arm_picks`) until one lands.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from django.db import connection

from feed import state
from feed.models import CoEngagement, VideoStats
from tagging.models import Tag, TagCategory, VideoTag
from tiktok.db.sql import table
from videos.models import Video
from videos.visibility import anyone_may_see_sql

_ANYONE_MAY_SEE = anyone_may_see_sql("v")

ARM_TOP = 40  # videos kept per arm (the exploration pool)
MAX_ARMS = 200
AFFINITY_PRIOR = 2.0  # pseudo-events of no opinion in a session's affinity for an arm
FOLLOWED_ARMS = 2  # arms a page takes candidates from for the session's liked categories
FOLLOW_PER_ARM = 12
FOLLOW_MISS_WEIGHT = 3.0  # a skip's weight against a finish or like of the arm in a session
# Log-prior points per unit of the session's net evidence on an arm (hits - 3 misses, decayed).
EVIDENCE_POINTS = 2.0
# Misses in a row since an arm's last hit that say the viewer has moved on from it for now: it
# is no longer followed, lifted or brought forward, however much it was liked before, until its
# next hit.
MOVED_ON_STREAK = 2
TRANSITION_MIX = 0.5  # share of the prior from the liked arms' transitions, when there are any
UNIFORM_MIX = 0.6  # the rest mixes engagement share and a uniform floor


@dataclass(frozen=True)
class ArmCatalogue:
    keys: list[str]
    names: list[str]
    tops: list[list[int]]  # most popular first
    engagement: np.ndarray  # share of engagement per arm (sums to 1)
    transitions: np.ndarray  # row-normalised co-engagement between arms (diagonal zero)

    @functools.cached_property  # read on every page: built once per parsed catalogue
    def index(self) -> dict[str, int]:
        return {key: i for i, key in enumerate(self.keys)}


_ARM_OF_VIDEO = f"""
SELECT DISTINCT ON (vt.video_id) vt.video_id,
       CASE WHEN t.category_id IS NOT NULL THEN 'c' || t.category_id ELSE 't' || t.id END
         AS arm,
       COALESCE(c.name, t.name) AS name
FROM {table(VideoTag)} vt
JOIN {table(Tag)} t ON t.id = vt.tag_id
LEFT JOIN {table(TagCategory)} c ON c.id = t.category_id
JOIN {table(Video)} v ON v.id = vt.video_id
WHERE t.is_active AND {_ANYONE_MAY_SEE}
  AND v.duplicate_of_id IS NULL
ORDER BY vt.video_id, vt.rank, vt.score DESC
"""


def _arm_rows() -> tuple[dict[int, str], dict[str, str], dict[int, float]]:
    """(arm of each video, arm names, engagement per video)."""
    with connection.cursor() as cursor:
        cursor.execute(_ARM_OF_VIDEO)
        arm_of: dict[int, str] = {}
        names: dict[str, str] = {}
        for video_id, arm, name in cursor:
            arm_of[int(video_id)] = arm
            names.setdefault(arm, name)
        cursor.execute(
            f"SELECT s.video_id, s.finishes + s.plays + 1 FROM {table(VideoStats)} s "
            "WHERE s.finishes + s.plays > 0"
        )
        engagement = {int(v): float(e) for v, e in cursor}
    return arm_of, names, engagement


def _arm_pairs(index: dict[str, int]) -> np.ndarray:
    """Co-engagement counts between arms (symmetric), summed in the database."""
    n = len(index)
    counts = np.zeros((n, n), dtype=np.float64)
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH arm AS ({_ARM_OF_VIDEO}) "
            "SELECT a.arm, b.arm, SUM(c.count)::float8 "
            f"FROM {table(CoEngagement)} c "
            "JOIN arm a ON a.video_id = c.video_a_id JOIN arm b ON b.video_id = c.video_b_id "
            "WHERE a.arm <> b.arm GROUP BY a.arm, b.arm"
        )
        for arm_a, arm_b, count in cursor:
            a, b = index.get(arm_a), index.get(arm_b)
            if a is not None and b is not None:
                counts[a, b] += count
                counts[b, a] += count
    return counts


def arms_compute() -> tuple[ArmCatalogue, dict[int, str]]:
    """The arm catalogue and every video's arm (see the module docstring)."""
    arm_of, names, engagement = _arm_rows()
    members: dict[str, list[int]] = {}
    for video_id, arm in arm_of.items():
        members.setdefault(arm, []).append(video_id)
    keys = sorted(members, key=lambda k: (-len(members[k]), k))[:MAX_ARMS]
    index = {key: i for i, key in enumerate(keys)}
    arm_of = {video_id: arm for video_id, arm in arm_of.items() if arm in index}
    tops = [
        sorted(members[key], key=lambda v: (-engagement.get(v, 1.0), -v))[:ARM_TOP] for key in keys
    ]
    totals = np.asarray(
        [sum(engagement.get(v, 1.0) for v in members[key]) for key in keys], dtype=np.float64
    )
    share = totals / totals.sum() if totals.sum() > 0 else np.zeros(len(keys))
    pairs = _arm_pairs(index) if keys else np.zeros((0, 0))
    rows = pairs.sum(axis=1, keepdims=True)
    transitions = np.divide(pairs, rows, out=np.zeros_like(pairs), where=rows > 0)
    catalogue = ArmCatalogue(
        keys=keys,
        names=[names[key] for key in keys],
        tops=tops,
        engagement=share,
        transitions=transitions,
    )
    return catalogue, arm_of


def arms_encode(catalogue: ArmCatalogue) -> str:
    return json.dumps(
        {
            "keys": catalogue.keys,
            "names": catalogue.names,
            "tops": catalogue.tops,
            "engagement": [round(float(x), 6) for x in catalogue.engagement],
            "transitions": [[round(float(x), 5) for x in row] for row in catalogue.transitions],
        }
    )


def arms_decode(raw: bytes | None) -> ArmCatalogue | None:
    """The stored catalogue (None when missing or malformed)."""
    if not raw:
        return None
    try:
        data = json.loads(raw)
        n = len(data["keys"])
        return ArmCatalogue(
            keys=[str(k) for k in data["keys"]],
            names=[str(k) for k in data["names"]],
            tops=[[int(v) for v in ids] for ids in data["tops"]],
            engagement=np.asarray(data["engagement"], dtype=np.float64).reshape(n),
            transitions=np.asarray(data["transitions"], dtype=np.float64).reshape(n, n),
        )
    except (ValueError, KeyError, TypeError):
        return None


# The catalogue is the same for every page until the next refresh: each process keeps the last
# one it parsed with its digest, and pages read only the digest (the catalogue itself is a few
# hundred kB at 200 arms).
_cached: dict[str, tuple[str, ArmCatalogue | None]] = {}


def arms_current(version: str | None) -> ArmCatalogue | None:
    """The catalogue whose digest is `version` (from the page's Redis read), parsed once per
    process and refresh."""
    if not version:
        return None
    last = _cached.get("last")
    if last is not None and last[0] == version:
        return last[1]
    stored_version, raw = state.arms_read()
    catalogue = arms_decode(raw)
    _cached["last"] = (stored_version or version, catalogue)
    return catalogue


def arms_refresh() -> int:
    """Recompute the arm catalogue and the video -> arm map into Redis; returns the arm count."""
    catalogue, arm_of = arms_compute()
    state.arms_store(encoded=arms_encode(catalogue), arm_of=arm_of)
    return len(catalogue.keys)


def arm_prior(catalogue: ArmCatalogue, liked: dict[str, float]) -> np.ndarray:
    """P(the session likes arm i) before this session's skips: engagement share and a uniform
    floor, mixed with the transitions from the arms it liked (weighted by their hits)."""
    n = len(catalogue.keys)
    uniform = np.full(n, 1.0 / n)
    base = (1.0 - UNIFORM_MIX) * catalogue.engagement + UNIFORM_MIX * uniform
    index = catalogue.index
    weights = [(index[arm], hits) for arm, hits in liked.items() if arm in index and hits > 0]
    if weights:
        total = sum(w for _, w in weights)
        transition = sum(w * catalogue.transitions[i] for i, w in weights) / total
        if transition.sum() > 0:
            base = (1.0 - TRANSITION_MIX) * base + TRANSITION_MIX * transition / transition.sum()
    return base / base.sum()


def arm_order(
    catalogue: ArmCatalogue, arms: dict[str, list[float]], rng: np.random.Generator
) -> list[int]:
    """Arm indexes in the order this session should try them: a draw without replacement in
    proportion to the prior (Gumbel top-k), moved by EVIDENCE_POINTS per unit of the session's
    net evidence on the arm, hits - FOLLOW_MISS_WEIGHT x misses: the arm of a finish after a
    sweep comes first, a skipped one goes back, and a long-liked one the viewer has moved on
    from (`moved_on`) goes behind the untried ones."""
    if not catalogue.keys:
        return []
    prior = arm_prior(
        catalogue, {arm: counts[0] for arm, counts in arms.items() if not moved_on(counts)}
    )
    net = np.asarray([_net(arms.get(key)) for key in catalogue.keys], dtype=np.float64)
    keys = np.log(np.maximum(prior, 1e-12)) + EVIDENCE_POINTS * net
    keys = keys + rng.gumbel(size=len(keys))
    return [int(i) for i in np.argsort(-keys, kind="stable")]


def arm_picks(
    catalogue: ArmCatalogue,
    order: list[int],
    excluded: set[int],
    count: int,
) -> list[int]:
    """The most popular unexcluded video of each arm, in `order`, `count` of them at most."""
    picks: list[int] = []
    for arm in order:
        if len(picks) >= count:
            break
        video_id = next((v for v in catalogue.tops[arm] if v not in excluded), None)
        if video_id is not None:
            picks.append(video_id)
    return picks


def moved_on(counts: Sequence[float]) -> bool:
    """Whether the session's latest events on an arm ([hits, misses, streak]) are
    MOVED_ON_STREAK misses in a row."""
    return len(counts) > 2 and counts[2] >= MOVED_ON_STREAK


def _net(counts: Sequence[float] | None) -> float:
    """hits - FOLLOW_MISS_WEIGHT x misses; at most -streak once the viewer moved on from it."""
    if not counts:
        return 0.0
    net = counts[0] - FOLLOW_MISS_WEIGHT * counts[1]
    return min(net, -counts[2]) if moved_on(counts) else net


def arm_affinity(arms: dict[str, list[float]]) -> dict[str, float]:
    """The session's affinity for each arm it has evidence on, in (-1, 1):
    (hits - misses) / (hits + misses + AFFINITY_PRIOR), at most 0 for an arm the viewer has
    moved on from (its earlier hits lift it again after its next hit)."""
    affinity = {}
    for arm, counts in arms.items():
        hits, misses = counts[0], counts[1]
        if hits + misses > 0:
            value = (hits - misses) / (hits + misses + AFFINITY_PRIOR)
            affinity[arm] = min(value, 0.0) if moved_on(counts) else value
    return affinity


def arm_follow(arms: dict[str, list[float]]) -> dict[str, float]:
    """The share of a page the session's evidence asks for each arm it is following, in [0, 1):
    (hits - FOLLOW_MISS_WEIGHT * misses) / (hits + misses + AFFINITY_PRIOR), positive only. A
    skip of a followed category weighs more than a finish of it, and MOVED_ON_STREAK skips in a
    row stop following it at once, where the affinity (which lifts the score) fades slowly."""
    follow = {
        arm: _net(counts) / (counts[0] + counts[1] + AFFINITY_PRIOR)
        for arm, counts in arms.items()
        if not moved_on(counts)
    }
    return {arm: value for arm, value in follow.items() if value > 0}


def followed_picks(
    catalogue: ArmCatalogue, follow: dict[str, float], excluded: set[int]
) -> list[int]:
    """Unexcluded top videos of the FOLLOWED_ARMS arms the session follows most (`arm_follow`):
    candidates for the category it is following, whatever the embedding says."""
    index = catalogue.index
    liked = sorted(
        (arm for arm, value in follow.items() if value > 0 and arm in index),
        key=lambda arm: -follow[arm],
    )[:FOLLOWED_ARMS]
    picks: list[int] = []
    for arm in liked:
        picks += [v for v in catalogue.tops[index[arm]] if v not in excluded][:FOLLOW_PER_ARM]
    return picks
