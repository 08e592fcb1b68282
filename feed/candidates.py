"""Candidate sources for a feed page (one query each) and the batched facts about candidates."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.db import connection
from django.db.models import F, Sum
from django.utils import timezone

from feed.embeddings import vector_decode, video_vectors
from feed.models import CoEngagement, HiddenVideo
from profiles.models import Follow, TasteProfile
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
    with connection.cursor() as cursor:
        cursor.execute(statement, {"query": vector_literal(query), "limit": limit})
        rows = cursor.fetchall()
    if not rows:
        return [], np.zeros(0), np.zeros((0, len(query)), dtype=np.float32)
    ids = [int(row[0]) for row in rows]
    vectors = np.stack([vector_decode(row[1]) for row in rows])
    sims = np.asarray([float(row[2]) for row in rows])
    return ids, sims, vectors


def long_term_taste(*, user_id: int | None, embedding_version: str | None) -> np.ndarray | None:
    if not user_id or not embedding_version:
        return None
    row = (
        TasteProfile.objects.filter(user_id=user_id, embedding_version=embedding_version)
        .values_list("vector", "weight_total")
        .first()
    )
    if row is None or row[1] <= 0:
        return None
    return np.asarray(row[0], dtype=np.float32)


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


def candidate_facts(
    *,
    viewer: Any,
    video_ids: Sequence[int],
    embedding_version: str | None,
    known_vectors: dict[int, np.ndarray],
    dim: int,
) -> CandidateFacts:
    """Visibility filter plus owner, age and stats of all candidates in one query; vectors not
    already known (from the nearest-neighbour query) in one more."""
    rows = list(
        visible_videos(viewer=viewer)
        .filter(pk__in=list(video_ids))
        .values_list(
            "id",
            "owner_id",
            "published_at",
            "created_at",
            "feed_stats__impressions",
            "feed_stats__plays",
            "feed_stats__finishes",
            F("like_count"),
        )
    )
    missing = [row[0] for row in rows if row[0] not in known_vectors]
    vectors = dict(known_vectors)
    if missing and embedding_version:
        vectors.update(video_vectors(video_ids=missing, embedding_version=embedding_version))
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
        age_hours=np.asarray(
            [((now - (row[2] or row[3])).total_seconds() / 3600.0) for row in rows]
        ),
        impressions=np.asarray([row[4] or 0 for row in rows], dtype=np.float64),
        plays=np.asarray([row[5] or 0 for row in rows], dtype=np.float64),
        finishes=np.asarray([row[6] or 0 for row in rows], dtype=np.float64),
        likes=np.asarray([row[7] or 0 for row in rows], dtype=np.float64),
        vectors=matrix,
        has_vector=has_vector,
    )
