"""evaluate_feed: load a dataset into a throwaway database, train, score the engine and baselines.

Protocol: per user, time-ordered leave-last-out. Every training interaction goes through the
feed's batched update path (`feed.ingest.interactions_ingest` -> `taste_apply_events`, the
maths the API uses); then a seeded sample of users each gets one feed page of max(K) items with
exploration off, and the same metrics are computed for random, popularity, content-only,
item-kNN and a hybrid (item-kNN + content + popularity).
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

import numpy as np
from django.conf import settings
from django.db import connection
from django.test import override_settings

from embedder_service.client import url_shown
from feed.evaluation import baselines, catalogue
from feed.evaluation.category_viewer import (
    catalogue_large_enough,
    coarse_categories,
    simulate_category,
    usable_categories,
)
from feed.evaluation.datasets import Dataset, UserSplit, leave_last_out
from feed.evaluation.embedding import texts_embed
from feed.evaluation.metrics import method_metrics
from feed.evaluation.progress import progress_bar
from feed.evaluation.simulation import simulate, soft_usable_categories
from feed.evaluation.throwaway import throwaway_environment
from feed.ingest import interactions_ingest
from feed.selectors import feed_page
from feed.trending import trending_refresh
from profiles.models import User
from videos.vector_index import hnsw_index_ensure, nearest_videos

INDEX_BUILD_MAINTENANCE_WORK_MEM = "1GB"
FINISH_RATIO = 0.999


class EvaluationInputError(ValueError):
    """The data cannot be evaluated as asked; raised before any work starts."""


@dataclass
class EvaluationOptions:
    ks: list[int] = field(default_factory=lambda: [10, 20])
    eval_users: int = 2000
    seed: int = 0
    simulate: int = 0
    viewer: str = "category"  # the simulated viewer: "category" (strict) or "soft"
    progress: bool = True


@dataclass
class LoadedCatalogue:
    video_ids: np.ndarray  # item index -> video id
    vectors: dict[int, np.ndarray]  # video id -> unit vector
    version: str
    user_ids: dict[str, int]  # dataset user id -> database user id
    item_video: dict[str, int]  # dataset item id -> video id
    item_tags: list[tuple[str, ...]]
    fresh: frozenset[int]
    now_s: float


def _watch_event(ratio: float | None) -> tuple[str, int]:
    """A positive row as an event: a finish, or a watch of that fraction of the video."""
    duration_ms = int(catalogue.VIDEO_DURATION_S * 1000)
    if ratio is None or ratio >= FINISH_RATIO:
        return "finish", duration_ms
    return "play", int(round(ratio * duration_ms))


def hnsw_build(*, version: str, dim: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"SET maintenance_work_mem = '{INDEX_BUILD_MAINTENANCE_WORK_MEM}'")
    hnsw_index_ensure(embedding_version=version, dim=dim)
    with connection.cursor() as cursor:
        cursor.execute("RESET maintenance_work_mem")


def catalogue_load(
    *,
    dataset: Dataset,
    splits: list[UserSplit],
    vectors: np.ndarray,
    version: str,
    rng: np.random.Generator,
    log: Callable[[str], None],
) -> tuple[LoadedCatalogue, list[dict]]:
    """Creators, videos, embeddings, tags and users; returns the catalogue and training rows."""
    training = [row for split in splits for row in split.history]
    train_max = max(row.ts for row in training)
    now_s = time.time()
    shift_s = now_s - 60.0 - train_max
    first_seen: dict[str, float] = {}
    for row in dataset.interactions:
        if row.ts < first_seen.get(row.item_id, float("inf")):
            first_seen[row.item_id] = row.ts
    low = min(first_seen.values())
    # An item appears when it is first engaged with (never later than "now"); items nobody
    # engaged with get a random moment within the dataset's span.
    published = [
        min(
            first_seen[item.item_id] if item.item_id in first_seen else rng.uniform(low, train_max),
            train_max,
        )
        + shift_s
        - 1.0
        for item in dataset.items
    ]
    counts = Counter(row.item_id for row in training)
    n = len(dataset.items)

    log(f"loading {n} items")
    creators = catalogue.users_create([f"creator-{i}" for i in range(n)])
    video_ids = catalogue.videos_create(
        owner_ids=[creators[f"creator-{i}"] for i in range(n)],
        captions=[item.title for item in dataset.items],
        content_keys=[item.item_id for item in dataset.items],
        published_at=[datetime.fromtimestamp(ts, UTC) for ts in published],
        view_counts=[counts.get(item.item_id, 0) for item in dataset.items],
    )
    catalogue.embeddings_create(video_ids=video_ids, vectors=vectors, embedding_version=version)
    catalogue.video_tags_create(video_ids=video_ids, tags=[item.tags for item in dataset.items])
    log("building the HNSW index")
    hnsw_build(version=version, dim=vectors.shape[1])

    user_keys = sorted({split.user_id for split in splits})
    log(f"loading {len(user_keys)} users")
    names = {key: f"viewer-{i}" for i, key in enumerate(user_keys)}
    by_name = catalogue.users_create(list(names.values()))
    user_ids = {key: by_name[name] for key, name in names.items()}
    catalogue.analyze()

    video_of = dict(zip((item.item_id for item in dataset.items), video_ids, strict=True))
    rows = []
    for row in sorted(training, key=lambda r: (r.ts, r.line)):
        event_type, watch_ms = _watch_event(row.watch_ratio)
        rows.append(
            {
                "user_id": user_ids[row.user_id],
                "video_id": video_of[row.item_id],
                "type": event_type,
                "watch_ms": watch_ms,
                "ts": datetime.fromtimestamp(row.ts + shift_s, UTC),
            }
        )
    fresh_after = now_s - settings.FEED_FRESH_HOURS * 3600
    loaded = LoadedCatalogue(
        video_ids=np.asarray(video_ids, dtype=np.int64),
        vectors={vid: vectors[i] for i, vid in enumerate(video_ids)},
        version=version,
        user_ids=user_ids,
        item_video=video_of,
        item_tags=[item.tags for item in dataset.items],
        fresh=frozenset(
            vid for vid, ts in zip(video_ids, published, strict=True) if ts >= fresh_after
        ),
        now_s=now_s,
    )
    return loaded, rows


def training_apply(rows: list[dict], *, progress: bool) -> int:
    """All training interactions through the feed's batched update path."""

    with progress_bar(
        total=len(rows), desc="train (taste + co-engagement)", unit="event", enabled=progress
    ) as bar:
        return interactions_ingest(rows=rows, session_id="evaluation", progress=bar.update)


def engine_recommend(*, users: dict[int, object], k: int, progress: bool) -> dict[int, list[int]]:
    """One feed page of k items per user, exploration off, each in a new session."""

    result: dict[int, list[int]] = {}
    for index, (user_id, user) in enumerate(
        progress_bar(users.items(), desc="engine pages", unit="user", enabled=progress)
    ):
        page = feed_page(
            viewer=user, session_id=f"evaluation-{index}", cursor=None, limit=k, explore=False
        )
        result[user_id] = [int(item["id"]) for item in page["items"]][:k]
    return result


def neighbourhood_recommend(
    *,
    loaded: LoadedCatalogue,
    rows: list[dict],
    histories: dict[int, set[int]],
    k: int,
    progress: bool,
) -> dict[str, dict[int, list[int]]]:
    """The item-kNN and hybrid baselines (feed/evaluation/baselines.py) for the evaluated users,
    trained on the same training interactions as the engine."""
    index_of = {int(video_id): index for index, video_id in enumerate(loaded.video_ids)}
    n_items = len(loaded.video_ids)
    training: dict[int, list[int]] = {}
    for row in rows:
        training.setdefault(row["user_id"], []).append(index_of[row["video_id"]])
    knn = baselines.ItemKnn(training, n_items=n_items)
    dim = len(next(iter(loaded.vectors.values())))
    matrix = np.zeros((n_items, dim), dtype=np.float32)
    for video_id, vector in loaded.vectors.items():
        matrix[index_of[int(video_id)]] = vector
    result: dict[str, dict[int, list[int]]] = {"itemknn": {}, "hybrid": {}}
    for user_id, history in progress_bar(
        histories.items(), desc="item-kNN + hybrid", unit="user", enabled=progress
    ):
        seen = {index_of[v] for v in history}
        knn_scores = knn.scores(sorted(seen))
        query = baselines.content_query(matrix[sorted(seen)])
        content = matrix @ query if query is not None else None
        mixed = baselines.hybrid_scores(
            knn_scores=knn_scores, content_scores=content, popularity=knn.users_per_item
        )
        for method, scores in (("itemknn", knn_scores), ("hybrid", mixed)):
            picks = baselines.top_k_excluding(scores, exclude=seen, k=k)
            result[method][user_id] = [int(loaded.video_ids[i]) for i in picks]
    return result


def methods_score(
    *,
    loaded: LoadedCatalogue,
    evaluated: list[UserSplit],
    rows: list[dict],
    options: EvaluationOptions,
) -> dict[str, dict[str, float]]:
    """Recommendations of every method for the evaluated users, and their metrics."""

    k_max = max(options.ks)
    rng = np.random.default_rng(options.seed + 1)
    held_out: dict[int, int] = {}
    histories: dict[int, set[int]] = {}
    for split in evaluated:
        user_id = loaded.user_ids[split.user_id]
        held_out[user_id] = loaded.item_video[split.held_out.item_id]
        histories[user_id] = {loaded.item_video[row.item_id] for row in split.history}

    users = User.objects.in_bulk(list(held_out))
    recommendations: dict[str, dict[int, list[int]]] = {
        "engine": engine_recommend(
            users={uid: users[uid] for uid in held_out}, k=k_max, progress=options.progress
        )
    }
    ranking = baselines.popularity_ranking([row["video_id"] for row in rows])
    recommendations["popularity"] = {
        uid: baselines.popularity_recommend(ranking=ranking, history=histories[uid], k=k_max)
        for uid in held_out
    }

    def nearest(query: np.ndarray, limit: int) -> list[int]:
        found = nearest_videos(query=query.tolist(), embedding_version=loaded.version, limit=limit)
        return [video_id for video_id, _ in found]

    recommendations["content_only"] = {
        uid: baselines.content_recommend(
            history_vectors=np.stack([loaded.vectors[v] for v in sorted(histories[uid])]),
            history=histories[uid],
            k=k_max,
            nearest=nearest,
        )
        for uid in progress_bar(
            held_out, desc="content-only", unit="user", enabled=options.progress
        )
    }
    recommendations.update(
        neighbourhood_recommend(
            loaded=loaded, rows=rows, histories=histories, k=k_max, progress=options.progress
        )
    )
    recommendations["random"] = {
        uid: baselines.random_recommend(
            catalogue=loaded.video_ids, history=histories[uid], k=k_max, rng=rng
        )
        for uid in held_out
    }
    return {
        method: method_metrics(
            recommendations=recs,
            held_out=held_out,
            ks=options.ks,
            catalogue_size=len(loaded.video_ids),
            item_vectors=loaded.vectors,
            fresh_items=loaded.fresh,
        )
        for method, recs in recommendations.items()
    }


@dataclass
class EvaluationResult:
    report: dict  # what report.json holds
    evaluated_users: int
    database_name: str  # the throwaway database (already dropped)
    stage_seconds: dict[str, float]


def evaluate(
    *,
    dataset: Dataset,
    options: EvaluationOptions,
    log: Callable[[str], None] = print,
    started: float | None = None,
) -> EvaluationResult:
    """The whole protocol; the report has methods, users, items, interactions, seconds
    (counted from `started`, a time.monotonic() value, e.g. before reading the CSVs)."""

    started = time.monotonic() if started is None else started
    stages: dict[str, float] = {}
    stage_start = time.monotonic()

    def stage_done(name: str) -> None:
        nonlocal stage_start
        now = time.monotonic()
        stages[name] = round(now - stage_start, 1)
        stage_start = now
        log(f"{name}: {stages[name]} s")

    splits = leave_last_out(dataset.interactions)
    candidates = [split for split in splits if split.held_out is not None]
    if not candidates:
        raise EvaluationInputError("no user has two or more distinct items: nothing to hold out")
    if options.simulate:
        try:  # said now, not after minutes of embedding and training
            if options.viewer == "category":
                usable_categories(*coarse_categories([item.tags for item in dataset.items]))
                catalogue_large_enough(len(dataset.items))
            else:
                soft_usable_categories([item.tags for item in dataset.items])
        except ValueError as exc:
            raise EvaluationInputError(f"--viewer {options.viewer}: {exc}") from None
    rng = np.random.default_rng(options.seed)
    picks = rng.choice(
        len(candidates), size=min(options.eval_users, len(candidates)), replace=False
    )
    evaluated = [candidates[i] for i in sorted(picks)]

    log(f"embedding {len(dataset.items)} item texts through {url_shown(settings.EMBEDDER_URL)}")
    vectors, version = texts_embed([item.text for item in dataset.items], progress=options.progress)
    stage_done("embedding")
    with throwaway_environment(prefix="eval") as environment:
        log(f"throwaway database {environment.database_name} (dropped at the end)")
        with override_settings(ACTIVE_EMBEDDING_VERSION=version):
            loaded, rows = catalogue_load(
                dataset=dataset, splits=splits, vectors=vectors, version=version, rng=rng, log=log
            )
            stage_done("loading + HNSW index")
            training_apply(rows, progress=options.progress)
            trending_refresh()
            stage_done("training + trending")
            methods = methods_score(
                loaded=loaded,
                evaluated=evaluated,
                rows=rows,
                options=options,
            )
            stage_done("scoring (engine pages + baselines)")
            simulation = None
            if options.simulate:
                run = simulate_category if options.viewer == "category" else simulate
                simulation = {
                    options.viewer: run(
                        loaded=loaded,
                        n_users=options.simulate,
                        seed=options.seed,
                        progress=options.progress,
                    )
                }
                stage_done("simulation")
    report: dict = {
        "methods": methods,
        "users": len(splits),
        "items": len(dataset.items),
        "interactions": len(dataset.interactions),
        "seconds": round(time.monotonic() - started, 1),
    }
    if simulation is not None:
        report["simulation"] = simulation
    return EvaluationResult(
        report=report,
        evaluated_users=len(evaluated),
        database_name=environment.database_name,
        stage_seconds=stages,
    )
