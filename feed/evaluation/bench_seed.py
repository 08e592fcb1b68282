"""bench_feed's catalogue: clustered random unit vectors, tags, creators, engagement, users."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np
from django.conf import settings
from rest_framework.authtoken.models import Token

from feed.evaluation import catalogue
from feed.evaluation.bulk import copy_rows
from feed.evaluation.progress import progress_bar
from feed.evaluation.runner import hnsw_build
from feed.evaluation.vocabulary import CATEGORIES
from feed.ingest import interactions_ingest
from feed.trending import trending_refresh

DEFAULT_EMBEDDING_VERSION = "minilm-l6:384:v1"
VIDEOS_PER_CREATOR = 50
VIDEOS_PER_CLUSTER = 500
CLUSTER_SPREAD = 0.8  # noise norm relative to the centre: cosine to the centre is about 0.78
HISTORY_LENGTH = 30
HISTORY_CLUSTERS_MAX = 3


@dataclass
class BenchCatalogue:
    version: str
    dim: int
    video_ids: np.ndarray
    warm_tokens: list[str]
    cold_tokens: list[str]
    warm_user_ids: list[int]


def bench_version() -> tuple[str, int]:
    """The active version (setting, else the CPU backend's) and its dimension."""
    version = settings.ACTIVE_EMBEDDING_VERSION or DEFAULT_EMBEDDING_VERSION
    parts = version.split(":")
    dim = int(parts[1]) if len(parts) >= 2 and parts[1].isdigit() else 384
    return version, dim


def clustered_vectors(
    n: int, dim: int, n_clusters: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """(unit vectors [n, dim] float32, cluster of each): random centres plus gaussian noise."""
    centres = rng.normal(size=(n_clusters, dim)).astype(np.float32)
    centres /= np.linalg.norm(centres, axis=1, keepdims=True)
    clusters = rng.integers(n_clusters, size=n)
    noise = rng.normal(size=(n, dim)).astype(np.float32) * (CLUSTER_SPREAD / np.sqrt(dim))
    vectors = centres[clusters] + noise
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors, clusters


def _tokens_create(user_ids: list[int]) -> list[str]:
    keys = [secrets.token_hex(20) for _ in user_ids]
    copy_rows(Token, ({"key": k, "user_id": u} for k, u in zip(keys, user_ids, strict=True)))
    return keys


def bench_seed(
    *,
    n_videos: int,
    n_users: int,
    seed: int,
    log: Callable[[str], None],
    progress: bool = True,
) -> BenchCatalogue:
    """Seed the (throwaway) database; returns what the measurement loops need."""

    rng = np.random.default_rng(seed)
    version, dim = bench_version()
    n_clusters = max(4, n_videos // VIDEOS_PER_CLUSTER)
    categories = list(CATEGORIES)
    cluster_tags = []
    for c in range(n_clusters):
        category = categories[c % len(categories)]
        subtags = list(CATEGORIES[category])
        cluster_tags.append((category, subtags[(c // len(categories)) % len(subtags)]))

    log(f"seeding {n_videos} videos ({dim}-d, {n_clusters} clusters), version {version}")
    vectors, clusters = clustered_vectors(n_videos, dim, n_clusters, rng)
    n_creators = max(1, n_videos // VIDEOS_PER_CREATOR)
    creators = catalogue.users_create([f"bench-creator-{i}" for i in range(n_creators)])
    creator_ids = [creators[f"bench-creator-{i}"] for i in range(n_creators)]
    now = datetime.now(UTC)
    age_hours = rng.exponential(24 * 10, size=n_videos)
    views = rng.lognormal(5.0, 1.5, size=n_videos).astype(np.int64)
    video_ids = catalogue.videos_create(
        owner_ids=[creator_ids[int(i)] for i in rng.integers(n_creators, size=n_videos)],
        captions=[f"{' '.join(cluster_tags[c])} clip {i}" for i, c in enumerate(clusters)],
        content_keys=[f"bench-{i}" for i in range(n_videos)],
        published_at=[now - timedelta(hours=float(h)) for h in age_hours],
        view_counts=views.tolist(),
        like_counts=rng.binomial(views, 0.05).tolist(),
        share_counts=rng.binomial(views, 0.005).tolist(),
    )
    catalogue.embeddings_create(video_ids=video_ids, vectors=vectors, embedding_version=version)
    catalogue.video_tags_create(video_ids=video_ids, tags=[cluster_tags[c] for c in clusters])
    log("building the HNSW index")
    hnsw_build(version=version, dim=dim)

    n_cold = max(2, n_users // 5)
    warm = catalogue.users_create([f"bench-warm-{i}" for i in range(n_users)])
    cold = catalogue.users_create([f"bench-cold-{i}" for i in range(n_cold)])
    warm_ids = [warm[f"bench-warm-{i}"] for i in range(n_users)]
    cold_ids = [cold[f"bench-cold-{i}"] for i in range(n_cold)]
    catalogue.analyze()

    by_cluster = [np.flatnonzero(clusters == c) for c in range(n_clusters)]
    rows = []
    start = now - timedelta(hours=24)
    for user_id in warm_ids:
        liked = rng.choice(n_clusters, size=int(rng.integers(1, HISTORY_CLUSTERS_MAX + 1)))
        for step in range(HISTORY_LENGTH):
            members = by_cluster[int(rng.choice(liked))]
            if not len(members):
                continue
            video = video_ids[int(members[rng.integers(len(members))])]
            kind = rng.choice(["finish", "play", "like", "skip"], p=[0.5, 0.25, 0.15, 0.1])
            rows.append(
                {
                    "user_id": user_id,
                    "video_id": video,
                    "type": str(kind),
                    "watch_ms": 30_000 if kind != "skip" else 1_000,
                    "ts": start + timedelta(seconds=step * 40),
                }
            )
    rows.sort(key=lambda row: row["ts"])
    log(f"training {len(rows)} history interactions (taste profiles, co-engagement)")
    with progress_bar(total=len(rows), desc="histories", unit="event", enabled=progress) as bar:
        interactions_ingest(rows=rows, session_id="bench", progress=bar.update)
    trending_refresh()
    catalogue.vacuum_analyze()
    return BenchCatalogue(
        version=version,
        dim=dim,
        video_ids=np.asarray(video_ids, dtype=np.int64),
        warm_tokens=_tokens_create(warm_ids),
        cold_tokens=_tokens_create(cold_ids),
        warm_user_ids=warm_ids,
    )
