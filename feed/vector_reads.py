"""Reading video vectors fast: pgvector's binary form (vector_send), fetched with binary results,
decoded with numpy, and kept in a per-process cache."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence

import numpy as np
from django.conf import settings
from django.db import connection
from django.db.models.expressions import RawSQL

from tiktok.db.binary import binary_rows
from tiktok.db.sql import column, table
from videos.models import Video, VideoEmbedding

# vector_send: int16 dim, int16 unused, then dim big-endian float4.
_HEADER_BYTES = 4
# A video's vector in one version never changes, so pages share a process-local copy of the
# vectors they read (trending and fresh candidates are the same for everybody). The whole cache
# is dropped after a while or when full: simple, bounded, and no stale entry lives long.
VECTOR_CACHE_SECONDS = 600.0
_cache_lock = threading.Lock()
_cache: dict[tuple[str, str], dict[int, np.ndarray]] = {}
_cache_state = {"started": time.monotonic(), "size": 0}


def vector_decode(raw: bytes | memoryview | None) -> np.ndarray | None:
    if raw is None:
        return None
    return np.frombuffer(raw, dtype=">f4", offset=_HEADER_BYTES).astype(np.float32)


def vectors_decode(raws: Sequence[bytes | memoryview]) -> np.ndarray:
    """Many vector_send values of one dimension as a [n, dim] float32 matrix, decoded at once."""
    if not raws:
        return np.zeros((0, 0), dtype=np.float32)
    width = len(raws[0])
    if any(len(raw) != width for raw in raws):
        return np.stack([vector_decode(raw) for raw in raws])
    block = np.frombuffer(b"".join(raws), dtype=np.uint8).reshape(len(raws), width)
    return block[:, _HEADER_BYTES:].copy().view(">f4").astype(np.float32)


def _cache_bucket(embedding_version: str) -> dict[int, np.ndarray]:
    """The cached vectors of one version in the current database (cleared when stale/full)."""
    limit = settings.FEED_VECTOR_CACHE_SIZE
    now = time.monotonic()
    if now - _cache_state["started"] > VECTOR_CACHE_SECONDS or _cache_state["size"] > limit:
        _cache.clear()
        _cache_state.update(started=now, size=0)
    key = (str(connection.settings_dict.get("NAME")), embedding_version)
    return _cache.setdefault(key, {})


def cached_vectors(
    *, video_ids: Sequence[int], embedding_version: str
) -> tuple[dict[int, np.ndarray], list[int]]:
    """(vectors found in the process cache, ids still to read from the database)."""
    with _cache_lock:
        bucket = _cache_bucket(embedding_version)
        found = {v: bucket[v] for v in video_ids if v in bucket}
    return found, [v for v in video_ids if v not in found]


def vectors_remember(*, vectors: dict[int, np.ndarray], embedding_version: str) -> None:
    if settings.FEED_VECTOR_CACHE_SIZE <= 0:
        return
    with _cache_lock:
        bucket = _cache_bucket(embedding_version)
        before = len(bucket)
        bucket.update(vectors)
        _cache_state["size"] += len(bucket) - before


def video_vector_annotation(embedding_version: str) -> RawSQL:
    """The video's vector (binary) in one version, as a correlated subquery on videos_video."""
    return RawSQL(
        f"(SELECT vector_send(e.embedding) FROM {table(VideoEmbedding)} e "
        f"WHERE e.video_id = {table(Video)}.{column(Video, 'id')} "
        "AND e.embedding_version = %s)",
        [embedding_version],
    )


def video_vectors(*, video_ids: Sequence[int], embedding_version: str) -> dict[int, np.ndarray]:
    """Vectors of the given videos in one version (videos without one are left out)."""
    if not video_ids:
        return {}
    found, missing = cached_vectors(
        video_ids=[int(v) for v in video_ids], embedding_version=embedding_version
    )
    if missing:
        rows = binary_rows(
            f"SELECT video_id, vector_send(embedding) FROM {table(VideoEmbedding)} "
            "WHERE embedding_version = %s AND video_id = ANY(%s)",
            [embedding_version, missing],
        )
        read = {int(video_id): vector_decode(raw) for video_id, raw in rows}
        vectors_remember(vectors=read, embedding_version=embedding_version)
        found.update(read)
    return found
