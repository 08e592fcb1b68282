"""evaluate_search's work: a generated catalogue loaded into the (throwaway) database, the
labelled queries run through each path of video search, nDCG@10 and recall@10 per method and
query kind. The catalogue is embedded by the real embedder, queries too."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
from django.conf import settings
from django.test import override_settings

from feed.evaluation.catalogue import (
    embeddings_create,
    users_create,
    vacuum_analyze,
    video_tags_create,
    videos_create,
)
from feed.evaluation.embedding import texts_embed
from feed.evaluation.synthetic import generate_items
from search.documents import documents_backfill
from search.evaluation.metrics import ndcg_at_k, recall_at_k
from search.evaluation.queries import QUERY_KINDS, LabelledQuery, labelled_queries
from search.fusion import rrf_fuse
from search.video_search import (
    SEARCH_INSTRUCTION,
    QueryVector,
    search_where,
    video_rankings,
)
from tiktok.embedder import embedder_client

K = 10
# What each evaluated method fuses: "keyword" is the text side (full-text and trigram, what
# search serves when the embedder is down), "semantic" the vector side alone.
METHODS: dict[str, tuple[str, ...]] = {
    "fulltext": ("keyword",),
    "trigram": ("trigram",),
    "keyword": ("keyword", "trigram"),
    "semantic": ("semantic",),
    "fused": ("keyword", "trigram", "semantic"),
}
CREATORS = 50


def catalogue_load(*, n_items: int, seed: int, progress: bool) -> tuple[dict[int, str], str]:
    """Ready public videos captioned with synthetic titles, their tags, caption vectors and
    search documents; returns (video id -> item id, embedding version)."""
    rng = np.random.default_rng(seed)
    items = generate_items(n_items, rng)
    owners = users_create([f"creator{n}" for n in range(CREATORS)])
    owner_ids = list(owners.values())
    start = datetime(2026, 1, 1, tzinfo=UTC)
    video_ids = videos_create(
        owner_ids=[owner_ids[i % len(owner_ids)] for i in range(len(items))],
        captions=[item.title for item in items],
        content_keys=[f"search-eval-{seed}-{item.item_id}" for item in items],
        published_at=[start + timedelta(minutes=i) for i in range(len(items))],
    )
    video_tags_create(video_ids=video_ids, tags=[item.tags for item in items])
    vectors, version = texts_embed([item.title for item in items], progress=progress)
    embeddings_create(video_ids=video_ids, vectors=vectors, embedding_version=version)
    documents_backfill()
    vacuum_analyze()
    return dict(zip(video_ids, (item.item_id for item in items), strict=True)), version


def queries_embed(queries: list[LabelledQuery]) -> tuple[list[list[float]], str, float]:
    """The queries' vectors as search embeds them, the version, and ms per query."""
    started = time.perf_counter()
    with embedder_client() as client:
        result = client.embed_texts([q.text for q in queries], instruction=SEARCH_INSTRUCTION)
    per_query_ms = (time.perf_counter() - started) * 1000 / max(1, len(queries))
    return result.embeddings, result.embedding_version, per_query_ms


def _summary(values: list[float]) -> float:
    return round(float(np.mean(values)), 4) if values else 0.0


def _scores(
    queries: list[LabelledQuery],
    vectors: list[list[float]],
    version: str,
    where: tuple[str, list],
    item_of: dict[int, str],
) -> dict[str, dict[str, dict[str, list[float]]]]:
    """method -> query kind -> metric -> one value per query."""
    scores: dict[str, dict[str, dict[str, list[float]]]] = {
        method: {kind: {"ndcg": [], "recall": []} for kind in QUERY_KINDS} for method in METHODS
    }
    for query, vector in zip(queries, vectors, strict=True):
        rankings = video_rankings(
            q=query.text, where=where, query_vector=QueryVector(vector, version, None)
        )
        for method, paths in METHODS.items():
            fused = rrf_fuse([rankings[p] for p in paths if p in rankings], settings.SEARCH_RRF_K)
            ranked = [item_of[video_id] for video_id in fused[:K]]
            scores[method][query.kind]["ndcg"].append(ndcg_at_k(ranked, query.relevance, K))
            scores[method][query.kind]["recall"].append(recall_at_k(ranked, query.relevance, K))
    return scores


def search_evaluate(
    *, n_items: int, seed: int, progress: bool = True, log: Callable[[str], None] = print
) -> dict[str, Any]:
    """Load the catalogue, run every labelled query through every method, summarise."""
    started = time.monotonic()
    item_of, version = catalogue_load(n_items=n_items, seed=seed, progress=progress)
    items = generate_items(n_items, np.random.default_rng(seed))
    queries = labelled_queries(items, seed=seed)
    log(f"{len(item_of)} videos, {len(queries)} labelled queries")
    vectors, query_version, embed_ms = queries_embed(queries)
    if query_version != version:
        raise RuntimeError(f"queries embedded as {query_version}, catalogue as {version}")
    with override_settings(ACTIVE_EMBEDDING_VERSION=version):
        scores = _scores(queries, vectors, version, search_where(viewer=None), item_of)
    report: dict[str, Any] = {"methods": {}}
    for method, kinds in scores.items():
        row: dict[str, float] = {}
        for kind, metrics in kinds.items():
            row[f"ndcg@{K}_{kind}"] = _summary(metrics["ndcg"])
            row[f"recall@{K}_{kind}"] = _summary(metrics["recall"])
        row[f"ndcg@{K}_mixed"] = _summary([v for m in kinds.values() for v in m["ndcg"]])
        row[f"recall@{K}_mixed"] = _summary([v for m in kinds.values() for v in m["recall"]])
        report["methods"][method] = row
    report.update(
        videos=len(item_of),
        queries={kind: sum(1 for q in queries if q.kind == kind) for kind in QUERY_KINDS},
        query_embedding_ms_per_query=round(embed_ms, 2),
        embedding_version=version,
        seconds=round(time.monotonic() - started, 1),
    )
    return report
