"""Suggested creators: the pool's creators whose videos' mean vector is closest to the viewer's
taste, minus those they follow, block or are blocked by, and themselves. Anonymous viewers and
viewers without a taste yet get the pool in popularity order."""

from __future__ import annotations

import itertools
from collections.abc import Collection
from typing import Any

import numpy as np
from django.db import connection

from discover import lists
from discover.lists import Centroids
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
    *, centroids: Centroids, taste: np.ndarray, count: int
) -> list[tuple[int, float]]:
    """(row index, cosine) of the `count` creators closest to the taste, best first; creators
    without a centroid (a zero row) come after every creator with one."""
    rows = centroids.rows
    if rows.shape[0] == 0 or rows.shape[1] != taste.shape[0]:
        return [(index, 0.0) for index in range(min(count, rows.shape[0]))]
    unit = taste / (float(np.linalg.norm(taste)) or 1.0)
    scores = np.where(centroids.has_vector, rows @ unit, -2.0)
    count = min(count, len(scores))
    if count <= 0:
        return []
    # a partial sort: only the top `count` are ordered
    top = np.argpartition(-scores, count - 1)[:count]
    top = top[np.lexsort((top, -scores[top]))]
    return [(int(index), float(scores[index])) for index in top]


def suggested_creators(
    *,
    viewer: Any,
    pool: list[dict[str, Any]],
    count: int,
    left_out: Collection[int] = (),
) -> tuple[list[dict[str, Any]], bool]:
    """The first `count` creators of the pool (creator items in popularity order) as this
    viewer should see them - ranked by closeness to their taste when they have one, excluded
    creators and `left_out` (pool ids no longer shown to anyone) left out - and whether more
    follow. The pool stays whole: its order is the stored centroids' order."""
    centroids = lists.centroids_read() if is_signed_in(viewer) else None
    taste, excluded = viewer_context(
        viewer=viewer, embedding_version=centroids.version if centroids else ""
    )
    excluded |= set(left_out)
    # the centroid rows are the pool's creators in the pool's order (one refresh wrote both)
    if (
        centroids is not None
        and taste is not None
        and centroids.creator_ids == [item["id"] for item in pool]
    ):
        ranked = rank_by_taste(centroids=centroids, taste=taste, count=count + len(excluded) + 1)
        candidates = (
            {**pool[index], "closeness": round(score, 4)}
            for index, score in ranked
            if pool[index]["id"] not in excluded
        )
    else:
        candidates = (item for item in pool if item["id"] not in excluded)
    chosen = list(itertools.islice(candidates, count + 1))
    return chosen[:count], len(chosen) > count
