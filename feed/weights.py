"""What an interaction event means for taste (pure): its positive weight and negative strength."""

from __future__ import annotations

from dataclasses import dataclass

WATCH_TYPES = frozenset({"impression", "play", "pause", "skip"})


@dataclass(frozen=True)
class TasteWeights:
    """Weights of strong positives (S += w e, W += w) and strengths of negatives."""

    watch: float = 1.0
    finish: float = 1.5
    rewatch: float = 2.0
    like: float = 2.0
    save: float = 2.5
    share: float = 3.0
    watch_positive_ratio: float = 0.4
    skip_negative_ms: int = 2000
    skip_strength: float = 0.35
    not_interested_strength: float = 0.8


def positive_weight(
    weights: TasteWeights, event_type: str, watch_ms: int, duration_s: float | None
) -> float:
    """The event's weight in the taste: finish/rewatch/like/save/share by type; a play, pause,
    impression or late skip counts as a watch once watch_ms >= 40% of the duration. unlike and
    unsave return minus the like/save weight, taking that contribution back; everything else 0."""
    by_type = {
        "finish": weights.finish,
        "rewatch": weights.rewatch,
        "like": weights.like,
        "save": weights.save,
        "share": weights.share,
        "unlike": -weights.like,
        "unsave": -weights.save,
    }
    if event_type in by_type:
        return by_type[event_type]
    if event_type in WATCH_TYPES and duration_s and duration_s > 0:
        if event_type == "skip" and watch_ms < weights.skip_negative_ms:
            return 0.0
        if watch_ms >= weights.watch_positive_ratio * duration_s * 1000.0:
            return weights.watch
    return 0.0


def negative_strength(weights: TasteWeights, event_type: str, watch_ms: int) -> float:
    """How hard to push similar videos down: a skip within 2 s is a mild negative, not_interested
    a strong one (strong negatives also bury near-duplicates); 0 for everything else."""
    if event_type == "not_interested":
        return weights.not_interested_strength
    if event_type == "skip" and watch_ms < weights.skip_negative_ms:
        return weights.skip_strength
    return 0.0
