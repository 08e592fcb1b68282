"""Suggested creators: the pool's creators whose videos' mean vector is closest to the viewer's
taste, minus those they follow, block or are blocked by, and themselves. Anonymous viewers and
viewers without a taste yet get the pool in popularity order."""

from __future__ import annotations

from typing import Any

import numpy as np
from django.db.models import Q

from discover import lists
from feed.public_reads import taste_vector
from profiles.models import Block, Follow
from profiles.viewers import is_signed_in


def excluded_creator_ids(*, viewer: Any) -> set[int]:
    """The viewer, whom they follow, and everyone blocked either way (two small queries)."""
    if not is_signed_in(viewer):
        return set()
    excluded = {viewer.pk}
    excluded.update(Follow.objects.filter(follower=viewer).values_list("followee_id", flat=True))
    for blocker_id, blocked_id in Block.objects.filter(
        Q(blocker=viewer) | Q(blocked=viewer)
    ).values_list("blocker_id", "blocked_id"):
        excluded.add(blocked_id if blocker_id == viewer.pk else blocker_id)
    return excluded


def rank_by_taste(
    *, creator_ids: list[int], centroids: np.ndarray, taste: np.ndarray
) -> list[tuple[int, float]]:
    """(creator id, cosine) best first; creators without a centroid (a zero row) last."""
    if centroids.size == 0 or centroids.shape[1] != taste.shape[0]:
        return [(creator_id, 0.0) for creator_id in creator_ids]
    unit = taste / (float(np.linalg.norm(taste)) or 1.0)
    scores = centroids @ unit
    has_vector = np.any(centroids != 0, axis=1)
    scores = np.where(has_vector, scores, -2.0)
    order = np.argsort(-scores, kind="stable")
    return [(creator_ids[i], float(scores[i])) for i in order]


def suggested_creators(*, viewer: Any, pool: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The pool (creator items in popularity order) as this viewer should see it: ranked by
    closeness to their taste when they have one, with excluded creators left out."""
    excluded = excluded_creator_ids(viewer=viewer)
    by_id = {item["id"]: item for item in pool}
    ordered = pool
    if is_signed_in(viewer):
        centroids = lists.centroids_read()
        taste = (
            taste_vector(user_id=viewer.pk, embedding_version=centroids.version)
            if centroids is not None and centroids.version
            else None
        )
        if centroids is not None and taste is not None:
            ranked = rank_by_taste(
                creator_ids=centroids.creator_ids, centroids=centroids.rows, taste=taste
            )
            ordered = [
                {**by_id[creator_id], "closeness": round(score, 4)}
                for creator_id, score in ranked
                if creator_id in by_id
            ]
    return [item for item in ordered if item["id"] not in excluded]
