"""Suggested creators: the pool's creators whose videos' mean vector is closest to the viewer's
taste, minus those they follow, block or are blocked by, and themselves. Anonymous viewers and
viewers without a taste yet get the pool in popularity order."""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
from django.db import connection

from discover import lists
from feed.models import TasteProfile
from profiles.models import Block, Follow
from profiles.viewers import is_signed_in
from tiktok.db.sql import table


def viewer_context(*, viewer: Any, embedding_version: str) -> tuple[np.ndarray | None, set[int]]:
    """The viewer's taste vector (None without one) and the creators never suggested to them:
    themselves, whom they follow, everyone blocked either way. One query."""
    if not is_signed_in(viewer):
        return None, set()
    follow, block = table(Follow), table(Block)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT (SELECT t.vector::text FROM {table(TasteProfile)} t
                     WHERE t.user_id = %(viewer)s AND t.embedding_version = %(version)s),
                   ARRAY(SELECT followee_id FROM {follow} WHERE follower_id = %(viewer)s),
                   ARRAY(SELECT CASE WHEN blocker_id = %(viewer)s THEN blocked_id
                                     ELSE blocker_id END
                           FROM {block} WHERE blocker_id = %(viewer)s OR blocked_id = %(viewer)s)
            """,
            {"viewer": viewer.pk, "version": embedding_version},
        )
        taste_text, followed, blocked = cursor.fetchone()
    taste = np.asarray(taste_text.strip("[]").split(","), dtype=np.float32) if taste_text else None
    return taste, {viewer.pk, *followed, *blocked}


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


def suggested_creators(
    *, viewer: Any, pool: list[dict[str, Any]], count: int
) -> tuple[list[dict[str, Any]], bool]:
    """The first `count` creators of the pool (creator items in popularity order) as this
    viewer should see them - ranked by closeness to their taste when they have one, excluded
    creators left out - and whether more follow."""
    centroids = lists.centroids_read() if is_signed_in(viewer) else None
    taste, excluded = viewer_context(
        viewer=viewer, embedding_version=centroids.version if centroids else ""
    )
    if centroids is not None and taste is not None:
        by_id = {item["id"]: item for item in pool}
        ranked = (
            (by_id[creator_id], score)
            for creator_id, score in rank_by_taste(
                creator_ids=centroids.creator_ids, centroids=centroids.rows, taste=taste
            )
            if creator_id in by_id and creator_id not in excluded
        )
        chosen = [
            {**item, "closeness": round(score, 4)}
            for item, score in itertools.islice(ranked, count + 1)
        ]
    else:
        chosen = list(
            itertools.islice((item for item in pool if item["id"] not in excluded), count + 1)
        )
    return chosen[:count], len(chosen) > count
