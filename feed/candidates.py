"""Candidate sources for a feed page (one query each) and the batched facts about candidates."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.db import DEFAULT_DB_ALIAS
from django.db.models import Sum
from django.utils import timezone

from feed.embeddings import (
    binary_rows,
    cached_vectors,
    vector_decode,
    vectors_remember,
    video_vectors,
)
from feed.models import CoEngagement, HiddenVideo
from profiles.models import Follow
from videos.models import Video
from videos.vector_index import nearest_sql, vector_literal
from videos.visibility import visible_videos

FOLLOWING_DAYS = 14
FOLLOWING_CANDIDATES = 50
HIDDEN_VECTORS_MAX = 200


def nearest_with_vectors(
    *, query: np.ndarray, embedding_version: str, limit: int
) -> tuple[list[int], np.ndarray, np.ndarray]:
    """pgvector nearest neighbours through the partial HNSW index: ids, cosine, vectors."""
    statement = nearest_sql(embedding_version=embedding_version, dim=len(query))
    head = "SELECT e.video_id, "
    assert statement.startswith(head)
    statement = head + "vector_send(e.embedding), " + statement[len(head) :]
    rows = binary_rows(statement, {"query": vector_literal(query), "limit": limit})
    if not rows:
        return [], np.zeros(0), np.zeros((0, len(query)), dtype=np.float32)
    ids = [int(row[0]) for row in rows]
    vectors = np.stack([vector_decode(row[1]) for row in rows])
    vectors_remember(
        vectors=dict(zip(ids, vectors, strict=True)), embedding_version=embedding_version
    )
    sims = np.asarray([float(row[2]) for row in rows])
    return ids, sims, vectors


def long_term_taste(*, user_id: int | None, embedding_version: str | None) -> np.ndarray | None:
    if not user_id or not embedding_version:
        return None
    rows = binary_rows(
        "SELECT vector_send(vector), weight_total FROM profiles_tasteprofile "
        "WHERE user_id = %s AND embedding_version = %s",
        [user_id, embedding_version],
    )
    if not rows or rows[0][1] <= 0:
        return None
    return vector_decode(rows[0][0])


def hidden_videos(
    *, user_id: int | None, embedding_version: str | None
) -> tuple[set[int], np.ndarray]:
    """The user's not_interested videos, and the latest ones' vectors (to bury near-duplicates)."""
    if not user_id:
        return set(), np.zeros((0, 0), dtype=np.float32)
    ids = list(
        HiddenVideo.objects.filter(user_id=user_id)
        .order_by("-created_at")
        .values_list("video_id", flat=True)[:5000]
    )
    if not ids or not embedding_version:
        return set(ids), np.zeros((0, 0), dtype=np.float32)
    vectors = video_vectors(video_ids=ids[:HIDDEN_VECTORS_MAX], embedding_version=embedding_version)
    matrix = np.stack(list(vectors.values())) if vectors else np.zeros((0, 0), dtype=np.float32)
    return set(ids), matrix


def coengagement_neighbours(*, video_ids: Sequence[int], limit: int) -> dict[int, int]:
    """Videos most often co-engaged with the given ones: {video_id: summed count}."""
    if not video_ids:
        return {}
    rows = (
        CoEngagement.objects.filter(video_a_id__in=list(video_ids))
        .values("video_b_id")
        .annotate(total=Sum("count"))
        .order_by("-total", "-video_b_id")
        .values_list("video_b_id", "total")[:limit]
    )
    return {int(video_id): int(total) for video_id, total in rows}


def following_new_videos(*, user_id: int | None) -> list[int]:
    if not user_id:
        return []
    since = timezone.now() - dt.timedelta(days=FOLLOWING_DAYS)
    followees = Follow.objects.filter(follower_id=user_id).values("followee_id")
    return list(
        Video.objects.filter(owner_id__in=followees, status="ready", published_at__gte=since)
        .order_by("-published_at")
        .values_list("id", flat=True)[:FOLLOWING_CANDIDATES]
    )


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


_VIEWER_SENTINEL_PK = -7_351_902_468_113
_visible_where_cache: dict[tuple[bool, bool], tuple[str, list]] = {}


def visible_where(*, viewer: Any, include_own_unready: bool = False) -> tuple[str, list]:
    """The WHERE condition of `visible_videos` (on table "videos_video", %s placeholders), to
    put into a hand-written query so visibility stays defined in one place and the table is
    scanned once. Compiled once per process and viewer kind (building the queryset costs more
    than the query): for users, with a placeholder id that is then replaced by theirs."""
    from profiles.models import User

    authenticated = viewer is not None and getattr(viewer, "is_authenticated", False)
    user_id = viewer.pk if authenticated else None
    key = (user_id is not None, include_own_unready)
    if key not in _visible_where_cache:
        template_viewer = User(pk=_VIEWER_SENTINEL_PK) if user_id is not None else None
        query = visible_videos(
            viewer=template_viewer, include_own_unready=include_own_unready
        ).query
        compiled = query.get_compiler(using=DEFAULT_DB_ALIAS).compile(query.where)
        _visible_where_cache[key] = (compiled[0], list(compiled[1]))
    where_sql, template_params = _visible_where_cache[key]
    return where_sql, [
        user_id if value == _VIEWER_SENTINEL_PK else value for value in template_params
    ]


_FACTS_SQL = (
    'SELECT "videos_video".id, "videos_video".owner_id, '
    'COALESCE("videos_video".published_at, "videos_video".created_at), '
    's.impressions, s.plays, s.finishes, "videos_video".like_count, '
    'CASE WHEN "videos_video".id = ANY(%s) THEN ('
    "SELECT vector_send(e.embedding) FROM videos_videoembedding e "
    'WHERE e.video_id = "videos_video".id AND e.embedding_version = %s) END '
    'FROM "videos_video" '
    'LEFT JOIN feed_videostats s ON s.video_id = "videos_video".id AND s.video_id = ANY(%s) '
    'WHERE "videos_video".id = ANY(%s) AND ({visible})'
)


def candidate_facts(
    *,
    viewer: Any,
    video_ids: Sequence[int],
    embedding_version: str | None,
    known_vectors: dict[int, np.ndarray],
    dim: int,
) -> CandidateFacts:
    """Visibility filter plus owner, age, stats and the vectors not already known (from the
    nearest-neighbour query) of all candidates, in one query, in the order given."""
    ids = [int(v) for v in video_ids]
    vectors = dict(known_vectors)
    missing: list[int] = []
    if embedding_version:
        cached, missing = cached_vectors(
            video_ids=[v for v in ids if v not in vectors], embedding_version=embedding_version
        )
        vectors.update(cached)
    if not ids:
        rows: list[tuple] = []
    else:
        visible, visible_params = visible_where(viewer=viewer)
        rows = binary_rows(
            _FACTS_SQL.format(visible=visible),
            [missing, embedding_version or "", ids, ids, *visible_params],
        )
        position = {video_id: index for index, video_id in enumerate(ids)}
        rows.sort(key=lambda row: position[row[0]])
    read = {row[0]: vector_decode(row[7]) for row in rows if row[7] is not None}
    if read and embedding_version:
        vectors_remember(vectors=read, embedding_version=embedding_version)
    vectors.update(read)
    if dim == 0:
        dim = next((len(v) for v in vectors.values()), 0)
    now = timezone.now()
    matrix = np.zeros((len(rows), dim), dtype=np.float32)
    has_vector = np.zeros(len(rows), dtype=bool)
    for index, row in enumerate(rows):
        vector = vectors.get(row[0])
        if vector is not None and len(vector) == dim:
            matrix[index] = vector
            has_vector[index] = True
    return CandidateFacts(
        ids=[row[0] for row in rows],
        owners=[row[1] for row in rows],
        age_hours=np.asarray([(now - row[2]).total_seconds() / 3600.0 for row in rows]),
        impressions=np.asarray([row[3] or 0 for row in rows], dtype=np.float64),
        plays=np.asarray([row[4] or 0 for row in rows], dtype=np.float64),
        finishes=np.asarray([row[5] or 0 for row in rows], dtype=np.float64),
        likes=np.asarray([row[6] or 0 for row in rows], dtype=np.float64),
        vectors=matrix,
        has_vector=has_vector,
    )
