"""Reading video vectors fast: pgvector's binary form (vector_send) decoded with numpy."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from django.db import connection
from django.db.models.expressions import RawSQL

# vector_send: int16 dim, int16 unused, then dim big-endian float4.
_HEADER_BYTES = 4


def vector_decode(raw: bytes | memoryview | None) -> np.ndarray | None:
    if raw is None:
        return None
    return np.frombuffer(bytes(raw)[_HEADER_BYTES:], dtype=">f4").astype(np.float32)


def video_vector_annotation(embedding_version: str) -> RawSQL:
    """The video's vector (binary) in one version, as a correlated subquery on videos_video."""
    return RawSQL(
        "(SELECT vector_send(e.embedding) FROM videos_videoembedding e "
        "WHERE e.video_id = videos_video.id AND e.embedding_version = %s)",
        [embedding_version],
    )


def video_vectors(*, video_ids: Sequence[int], embedding_version: str) -> dict[int, np.ndarray]:
    """Vectors of the given videos in one version (videos without one are left out)."""
    if not video_ids:
        return {}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT video_id, vector_send(embedding) FROM videos_videoembedding "
            "WHERE embedding_version = %s AND video_id = ANY(%s)",
            [embedding_version, list(video_ids)],
        )
        return {int(video_id): vector_decode(raw) for video_id, raw in cursor.fetchall()}
