"""The Discover lists in Redis: compact JSON per section, written together by the refresh task
(discover.refresh) and read by pages and APIs in one round trip. Every key starts with
"discover:"."""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from typing import Any

import numpy as np
import redis
from django.conf import settings

from tiktok.db.redis_pool import SharedConnectionPool

PREFIX = "discover:"
SECTIONS = ("videos", "hashtags", "sounds", "challenges", "creators")
# creator centroids: JSON {"version": ..., "ids": [...], "dim": n} and float32 rows (bytes)
CENTROID_META_KEY = PREFIX + "centroids:meta"
CENTROID_ROWS_KEY = PREFIX + "centroids:rows"
EXPLORATION_KEY = PREFIX + "challenge-exploration"  # JSON list of video ids
REFRESHED_KEY = PREFIX + "refreshed"  # when the lists were last written (epoch seconds)


def _section_key(section: str) -> str:
    return f"{PREFIX}{section}"


@functools.cache
def _client_for(url: str) -> redis.Redis:
    return redis.Redis(connection_pool=SharedConnectionPool.from_url(url))


def redis_client() -> redis.Redis:
    return _client_for(settings.REDIS_URL)


def lists_store(
    *,
    sections: dict[str, list[Any]],
    exploration: list[int],
    centroid_meta: dict[str, Any],
    centroid_rows: np.ndarray,
    refreshed_at: float,
) -> None:
    """Replace every list at once (one MULTI): a reader never mixes two refreshes."""
    pipe = redis_client().pipeline(transaction=True)
    for section in SECTIONS:
        pipe.set(_section_key(section), json.dumps(sections.get(section, [])))
    pipe.set(EXPLORATION_KEY, json.dumps(exploration))
    pipe.set(CENTROID_META_KEY, json.dumps(centroid_meta))
    pipe.set(CENTROID_ROWS_KEY, np.ascontiguousarray(centroid_rows, dtype=np.float32).tobytes())
    pipe.set(REFRESHED_KEY, str(refreshed_at))
    pipe.execute()


# The decoded lists of the last refresh this process read ({stamp: sections}): a request then
# costs one small GET instead of fetching and decoding every list.
_decoded: dict[str, dict[str, list[Any]]] = {}


def lists_read() -> dict[str, list[Any]] | None:
    """Every stored list (treat as read-only: shared by the process's requests); None when the
    lists were never computed."""
    stamp = refreshed_read()
    if stamp is None:
        return None
    cached = _decoded.get(stamp)
    if cached is not None:
        return cached
    raw = redis_client().mget([REFRESHED_KEY, *(_section_key(s) for s in SECTIONS)])
    if raw[0] is None:
        return None
    decoded = {
        section: json.loads(value) if value else []
        for section, value in zip(SECTIONS, raw[1:], strict=True)
    }
    _decoded.clear()
    _decoded[raw[0].decode()] = decoded
    return decoded


def refreshed_read() -> str | None:
    """The stamp of the last refresh (changes with every refresh); None when never computed."""
    raw = redis_client().get(REFRESHED_KEY)
    return raw.decode() if raw else None


def exploration_parse(raw: bytes | None) -> list[int]:
    """The exploration list from its stored value (the feed reads the key with its own state)."""
    return [int(v) for v in json.loads(raw)] if raw else []


def exploration_read() -> list[int]:
    return exploration_parse(redis_client().get(EXPLORATION_KEY))


@dataclass(frozen=True)
class Centroids:
    """The creator pool's centroids: creator ids and their unit rows, in one embedding version."""

    version: str
    creator_ids: list[int]
    rows: np.ndarray
    has_vector: np.ndarray  # rows that are not all zero (creators with a vector)


_centroid_cache: dict[str, Centroids] = {}


def _centroid_key(meta: dict[str, Any]) -> str:
    return f"{meta['version']}:{meta['stamp']}"


def centroids_read() -> Centroids | None:
    """The creator pool's centroids, decoded once per refresh and process (the small meta is
    read each time to notice a refresh)."""
    meta_raw = redis_client().get(CENTROID_META_KEY)
    if not meta_raw:
        return None
    cached = _centroid_cache.get(_centroid_key(json.loads(meta_raw)))
    if cached is not None:
        return cached
    # meta and rows of the same refresh (a refresh may land between two reads)
    meta_raw, rows_raw = redis_client().mget([CENTROID_META_KEY, CENTROID_ROWS_KEY])
    if not meta_raw:
        return None
    meta = json.loads(meta_raw)
    dim = int(meta["dim"])
    rows = np.frombuffer(rows_raw or b"", dtype=np.float32)
    matrix = rows.reshape(-1, dim) if dim else np.zeros((len(meta["ids"]), 0), np.float32)
    centroids = Centroids(
        version=meta["version"],
        creator_ids=[int(v) for v in meta["ids"]],
        rows=matrix,
        has_vector=np.any(matrix != 0, axis=1),
    )
    _centroid_cache.clear()
    _centroid_cache[_centroid_key(meta)] = centroids
    return centroids
