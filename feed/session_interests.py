"""The session's interests (pure numpy): several components instead of one EMA, negative
evidence, the "rejecting everything" run, per-category (arm) evidence, and how a page's slots
are shared between them.

- A positive (finish, like, a long watch...) joins the nearest component when it is close
  enough (cosine >= JOIN_COSINE), moving its centre and adding a hit; otherwise it starts a new
  component (the weakest is dropped beyond MAX_COMPONENTS). A viewer can like two things at once.
- A fast skip or "not interested" is a miss for the nearest component (when close enough) and
  shrinks its hits: what is being skipped loses weight at once, not only by ageing.
- Every event ages the evidence (DECAY per event), so the state follows the last minute of
  viewing rather than the whole session.
- Per category (arm): decayed hits and misses, and the current run of misses since its last hit
  (what `feed.interest_arms` reads as "the viewer has moved on from it").
- A run of REJECT_RUN fast skips with no positive in between means the session is rejecting
  what it is shown: the page explores by category (`feed.interest_arms`). The first positive
  after such a run starts a component on an equal footing with the strongest one (the follow-up):
  the next page leans on it at once.
- Pages share their personal slots between components by Thompson sampling: each component's
  draw from Beta(1 + hits, 1 + misses) times its hits, so a strong interest keeps most of the
  page after one like elsewhere (a little change, not a flip) while a skipped one gives way.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import numpy as np

from tiktok.vectors import EPSILON, normalize

MAX_COMPONENTS = 4
JOIN_COSINE = 0.6  # a positive this close to a component's centre belongs to it
CENTRE_ALPHA = 0.3  # EMA step of a component's centre for a positive of weight 1
DECAY = 0.9  # evidence kept per event
SKIP_SHRINK = 0.6  # a component's hits kept after a fast skip of one of its videos
REJECT_RUN = 3  # fast skips in a row, without a positive, that make the session "rejecting"
ARM_DECAY = 0.97  # category evidence ages slower: a rejected category stays rejected a while
MAX_ARMS = 64  # category evidence kept per session (the most recently touched)


@dataclass
class Component:
    """One session interest: a unit centre and its (decayed) hits and misses."""

    centre: np.ndarray
    hits: float
    misses: float = 0.0


@dataclass
class SessionInterests:
    components: list[Component] = field(default_factory=list)
    # arm -> [hits, misses, streak]: decayed hits and misses, and the misses in a row since the
    # arm's last hit (not decayed: "the last two of this category were skipped").
    arms: dict[str, list[float]] = field(default_factory=dict)
    run: int = 0  # fast skips since the last positive
    follow_up: bool = False  # the newest positive ended a rejecting run

    @property
    def rejecting(self) -> bool:
        return self.run >= REJECT_RUN

    # ------------------------------------------------------------------ storage

    def as_mapping(self) -> dict[str, bytes | str]:
        """The session-hash fields ("ic": centres, "is": hits/misses, "ia": arms JSON, "ir": the
        run and follow-up flag)."""
        mapping: dict[str, bytes | str] = {
            "ir": f"{self.run},{int(self.follow_up)}",
            "ia": json.dumps(
                {
                    k: [round(v[0], 4), round(v[1], 4), int(v[2]) if len(v) > 2 else 0]
                    for k, v in self.arms.items()
                }
            ),
        }
        if self.components:
            centres = np.stack([c.centre for c in self.components]).astype(np.float32)
            mapping["ic"] = centres.tobytes()
            mapping["is"] = (
                np.asarray([[c.hits, c.misses] for c in self.components], dtype=np.float32)
            ).tobytes()
        else:
            mapping["ic"] = b""
            mapping["is"] = b""
        return mapping


def interests_parse(raw: dict[bytes, bytes], dim: int | None) -> SessionInterests:
    """Decode the session-hash fields; components of another dimension (a version switch) are
    dropped, and anything malformed reads as an empty state."""
    interests = SessionInterests()
    try:
        run, follow_up = (raw.get(b"ir") or b"0,0").decode().split(",")
        interests.run, interests.follow_up = max(0, int(run)), follow_up == "1"
        arms = json.loads(raw.get(b"ia") or b"{}")
        interests.arms = {  # [hits, misses] before the streak was kept: no streak
            str(k): [float(v[0]), float(v[1]), float(v[2]) if len(v) == 3 else 0.0]
            for k, v in arms.items()
            if len(v) in (2, 3)
        }
    except (ValueError, TypeError, AttributeError, IndexError):
        return SessionInterests()
    stats = np.frombuffer(raw.get(b"is") or b"", dtype=np.float32)
    centres = np.frombuffer(raw.get(b"ic") or b"", dtype=np.float32)
    count = len(stats) // 2
    if count and len(centres) % count == 0:
        width = len(centres) // count
        if dim is None or width == dim:
            rows = centres.reshape(count, width)
            interests.components = [
                Component(rows[i].copy(), float(stats[2 * i]), float(stats[2 * i + 1]))
                for i in range(count)
            ]
    return interests


def _joined(interests: SessionInterests, unit: np.ndarray) -> int | None:
    """The index of the component this unit vector belongs to (the nearest, when its cosine is
    at least JOIN_COSINE), or None."""
    if not interests.components:
        return None
    similarity = np.stack([c.centre for c in interests.components]) @ unit
    index = int(np.argmax(similarity))
    return index if similarity[index] >= JOIN_COSINE else None


def interests_update(
    interests: SessionInterests,
    *,
    vector: np.ndarray | None,
    weight: float,
    strength: float,
    arm: str | None,
) -> None:
    """Fold one event in (see the module docstring): weight > 0 a positive, strength > 0 a
    negative (fast skip, not interested), both 0 a neutral event that only ages the evidence."""
    if weight <= 0 and strength <= 0:
        return
    for component in interests.components:
        component.hits *= DECAY
        component.misses *= DECAY
    for counts in interests.arms.values():
        counts[0] *= ARM_DECAY
        counts[1] *= ARM_DECAY  # the streak (a count of the latest events) does not age
    unit = normalize(np.asarray(vector, dtype=np.float32)) if vector is not None else None
    if unit is not None and float(np.linalg.norm(unit)) < EPSILON:
        unit = None
    if weight > 0:
        follow_up = interests.rejecting
        interests.run = 0
        interests.follow_up = follow_up
        if arm:
            counts = interests.arms.setdefault(arm, [0.0, 0.0, 0.0])
            counts[0] += 1.0
            counts[2] = 0.0
        if unit is None:
            return
        index = _joined(interests, unit)
        if index is not None:
            component = interests.components[index]
            step = 1.0 - (1.0 - CENTRE_ALPHA) ** weight
            component.centre = normalize((1.0 - step) * component.centre + step * unit)
            component.hits += 1.0
            if follow_up:  # the session came back to it after rejecting everything else
                component.hits = max(component.hits, _strongest(interests, exclude=index))
            return
        hits = max(1.0, _strongest(interests)) if follow_up else 1.0
        interests.components.append(Component(unit, hits))
        if len(interests.components) > MAX_COMPONENTS:
            weakest = min(
                range(len(interests.components) - 1),
                key=lambda i: interests.components[i].hits - interests.components[i].misses,
            )
            del interests.components[weakest]
    else:
        interests.run += 1
        interests.follow_up = False
        if arm:
            counts = interests.arms.setdefault(arm, [0.0, 0.0, 0.0])
            counts[1] += 1.0
            counts[2] += 1.0
        index = _joined(interests, unit) if unit is not None else None
        if index is not None:
            component = interests.components[index]
            component.misses += 1.0
            component.hits *= SKIP_SHRINK
    if len(interests.arms) > MAX_ARMS:
        keep = sorted(interests.arms.items(), key=lambda kv: -(kv[1][0] + kv[1][1]))[:MAX_ARMS]
        interests.arms = dict(keep)


def _strongest(interests: SessionInterests, exclude: int = -1) -> float:
    return max((c.hits for i, c in enumerate(interests.components) if i != exclude), default=1.0)


def slot_shares(interests: SessionInterests, rng: np.random.Generator) -> list[tuple[int, float]]:
    """(component index, share of the personal slots), best first: each component's Thompson
    draw from Beta(1 + hits, 1 + misses) times its hits, normalised. Components under 5% of
    the page get none."""
    if not interests.components:
        return []
    hits = np.asarray([c.hits for c in interests.components], dtype=np.float64)
    misses = np.asarray([c.misses for c in interests.components], dtype=np.float64)
    draws = rng.beta(1.0 + hits, 1.0 + misses) * hits
    total = float(draws.sum())
    if total <= EPSILON:
        return []
    shares = draws / total
    order = [int(i) for i in np.argsort(-shares, kind="stable") if shares[i] >= 0.05]
    kept = float(shares[order].sum())
    return [(i, float(shares[i] / kept)) for i in order]


def quotas(shares: list[tuple[int, float]], slots: int) -> list[tuple[int, int]]:
    """Whole slots per component from their shares (largest remainders), best first; the first
    component always gets at least one."""
    if not shares or slots <= 0:
        return []
    raw = [share * slots for _, share in shares]
    counts = [int(x) for x in raw]
    for i in sorted(range(len(raw)), key=lambda i: -(raw[i] - counts[i]))[: slots - sum(counts)]:
        counts[i] += 1
    if counts[0] == 0:
        counts[0] = 1
        counts[int(np.argmax(counts[1:])) + 1] -= 1
    return [(index, count) for (index, _), count in zip(shares, counts, strict=True) if count]
