"""bench_feed's measurements: the feed API through daphne + HTTP, and the pgvector query alone."""

from __future__ import annotations

import contextlib
import cProfile
import io
import os
import pstats
import re
import secrets
import socket
import subprocess
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import numpy as np
from django.conf import settings
from django.db import connection
from psycopg import sql

from feed.aggregates import aggregates_pending
from feed.evaluation.bench_seed import BenchCatalogue
from feed.evaluation.report import percentiles_ms
from feed.evaluation.runner import INDEX_BUILD_MAINTENANCE_WORK_MEM
from feed.models import TasteProfile
from feed.selectors import feed_page
from profiles.models import User
from tiktok.db.sql import table, vector_literal
from tiktok.dev.processes import celery_worker_start, daphne_argv, process_start, process_stop
from videos.models import VideoEmbedding
from videos.vector_index import HNSW_EF_CONSTRUCTION, HNSW_M, hnsw_index_name, nearest_sql

SERVER_START_TIMEOUT_SECONDS = 90
# A freshly started server first fills its connection pool and process caches (vectors,
# compiled visibility SQL): steady state is what a running deployment serves.
WARMUP_REQUESTS = 30
ANONYMOUS_VISITORS = 50
EVENTS_PER_INTERACTION_REQUEST = 5
PAGE_LIMIT = 10
UNTHROTTLED = "100000000/min"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _server_env(*, database_url: str, redis_url: str, embedding_version: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "ACTIVE_EMBEDDING_VERSION": embedding_version,
        "DEBUG": "0",
        # production settings on this machine's embedded object store (the parent's)
        "EMBEDDED_SERVICES": "1",
        "SECRET_KEY": secrets.token_urlsafe(40),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        "LOG_LEVEL": "WARNING",
        "THROTTLE_ANON": UNTHROTTLED,
        "THROTTLE_USER": UNTHROTTLED,
        "THROTTLE_INTERACTIONS": UNTHROTTLED,
    }


def _base_dir() -> Path:
    return Path(settings.BASE_DIR) if hasattr(settings, "BASE_DIR") else Path.cwd()


@contextlib.contextmanager
def daphne_server(
    *, database_url: str, redis_url: str, embedding_version: str, log_path: Path
) -> Iterator[str]:
    """daphne serving the project against the throwaway database; yields its base URL."""
    port = free_port()
    env = _server_env(
        database_url=database_url, redis_url=redis_url, embedding_version=embedding_version
    )
    process = process_start(
        daphne_argv("127.0.0.1", port), env=env, log_path=log_path, cwd=_base_dir()
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(f"{url}/api/feed?limit=1", process, log_path)
        yield url
    finally:
        process_stop(process)


@contextlib.contextmanager
def celery_worker(
    *, database_url: str, redis_url: str, embedding_version: str, log_path: Path
) -> Iterator[subprocess.Popen]:
    """A Celery worker (one process) on the throwaway environment, as in a deployment: it
    applies the aggregates that interaction requests queue, on the same two cores."""
    env = _server_env(
        database_url=database_url, redis_url=redis_url, embedding_version=embedding_version
    )
    process = celery_worker_start(env=env, log_path=log_path, cwd=_base_dir())
    try:
        yield process
    finally:
        process_stop(process)


def aggregates_drain_seconds(timeout: float = 60.0) -> float:
    """Seconds until the worker has applied every queued aggregates batch (raises if it does
    not within the timeout)."""

    started = time.monotonic()
    while aggregates_pending():
        if time.monotonic() - started > timeout:
            raise RuntimeError(
                f"{aggregates_pending()} aggregates batches still queued after {timeout:.0f} s"
            )
        time.sleep(0.05)
    return time.monotonic() - started


def _wait_ready(url: str, process: subprocess.Popen, log_path: Path) -> None:
    deadline = time.monotonic() + SERVER_START_TIMEOUT_SECONDS
    last = "no answer"
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                f"daphne exited with {process.returncode}:\n{log_path.read_text()[-3000:]}"
            )
        try:
            response = httpx.get(url, timeout=5)
            if response.status_code == 200:
                return
            last = f"{response.status_code} {response.text[:300]}"
        except httpx.HTTPError as exc:
            last = str(exc)
        time.sleep(0.25)
    raise RuntimeError(f"daphne not ready after {SERVER_START_TIMEOUT_SECONDS}s: {last}")


def _timed(call: Callable[[], httpx.Response], expected: int) -> float:
    started = time.perf_counter()
    response = call()
    elapsed = time.perf_counter() - started
    if response.status_code != expected:
        raise RuntimeError(
            f"{response.request.method} {response.request.url} -> {response.status_code}: "
            f"{response.text[:500]}"
        )
    return elapsed


def feed_latencies(*, base_url: str, tokens: list[str] | None, requests: int) -> list[float]:
    """GET /api/feed latencies: token users round-robin, or anonymous cookie sessions."""
    samples: list[float] = []
    if tokens is not None:
        with httpx.Client(base_url=base_url, timeout=30) as client:
            for i in range(requests + WARMUP_REQUESTS):
                headers = {"Authorization": f"Token {tokens[i % len(tokens)]}"}
                elapsed = _timed(
                    lambda h=headers: client.get(
                        "/api/feed", params={"limit": PAGE_LIMIT}, headers=h
                    ),
                    200,
                )
                if i >= WARMUP_REQUESTS:
                    samples.append(elapsed)
        return samples
    visitors = [httpx.Client(base_url=base_url, timeout=30) for _ in range(ANONYMOUS_VISITORS)]
    try:
        for i in range(requests + WARMUP_REQUESTS):
            client = visitors[i % len(visitors)]
            elapsed = _timed(lambda c=client: c.get("/api/feed", params={"limit": PAGE_LIMIT}), 200)
            if i >= WARMUP_REQUESTS:
                samples.append(elapsed)
    finally:
        for client in visitors:
            client.close()
    return samples


def interaction_latencies(
    *, base_url: str, tokens: list[str], video_ids: np.ndarray, requests: int, seed: int
) -> list[float]:
    """POST /api/interactions latencies (batches of a few events from warm users)."""
    rng = np.random.default_rng(seed)
    # what a client posts (likes, saves and shares go to their endpoints)
    kinds = ["impression", "play", "finish", "skip", "rewatch"]
    samples: list[float] = []
    with httpx.Client(base_url=base_url, timeout=30) as client:
        for i in range(requests + WARMUP_REQUESTS):
            events = [
                {
                    "event_id": str(uuid.uuid4()),
                    "video_id": int(video_ids[rng.integers(len(video_ids))]),
                    "type": kinds[int(rng.integers(len(kinds)))],
                    "watch_ms": int(rng.integers(500, 30_000)),
                    "position": j,
                    "ts": datetime.now(UTC).isoformat(),
                }
                for j in range(EVENTS_PER_INTERACTION_REQUEST)
            ]
            headers = {"Authorization": f"Token {tokens[i % len(tokens)]}"}
            elapsed = _timed(
                lambda e=events, h=headers: client.post("/api/interactions", json=e, headers=h), 202
            )
            if i >= WARMUP_REQUESTS:
                samples.append(elapsed)
    return samples


RECALL_QUERIES = 50  # taste queries whose top FEED_CANDIDATES are compared with an exact scan
INDEX_ONLY = "SET enable_seqscan = off; SET enable_bitmapscan = off; SET enable_sort = off"
INDEX_ONLY_RESET = "RESET enable_seqscan; RESET enable_bitmapscan; RESET enable_sort"


def _taste_queries(bench: BenchCatalogue, seed: int) -> list[str]:
    """The seeded viewers' long-term tastes as query literals (a random one without any)."""
    rng = np.random.default_rng(seed)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT vector_send(vector) FROM {table(TasteProfile)} WHERE embedding_version = %s "
            "LIMIT 200",
            [bench.version],
        )
        queries = [
            np.frombuffer(bytes(raw)[4:], dtype=">f4").astype(np.float32) for (raw,) in cursor
        ]
    if not queries:
        queries = [rng.normal(size=bench.dim).astype(np.float32)]
    return [vector_literal(q / np.linalg.norm(q)) for q in queries]


def _index_size_mb(index: str) -> float | None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_relation_size(to_regclass(%s))", [index])
        size = cursor.fetchone()[0]
    return round(size / 1024**2, 1) if size is not None else None


def _search_measure(
    *, statement: str, index: str, literals: list[str], requests: int, limit: int
) -> dict:
    """One search statement: latency through the index, its plan, and the recall of its top
    `limit` against an exact scan (every vector compared)."""
    samples: list[float] = []
    with connection.cursor() as cursor:
        cursor.execute(INDEX_ONLY)
        cursor.execute("SHOW hnsw.ef_search")
        ef_search = cursor.fetchone()[0]
        for i in range(requests + WARMUP_REQUESTS):
            params = {"query": literals[i % len(literals)], "limit": limit}
            started = time.perf_counter()
            cursor.execute(statement, params)
            rows = cursor.fetchall()
            if i >= WARMUP_REQUESTS:
                samples.append(time.perf_counter() - started)
        cursor.execute("EXPLAIN " + statement, {"query": literals[0], "limit": limit})
        plan = "\n".join(row[0] for row in cursor.fetchall())
        approximate = []
        for literal in literals[:RECALL_QUERIES]:
            cursor.execute(statement, {"query": literal, "limit": limit})
            approximate.append({row[0] for row in cursor.fetchall()})
        cursor.execute(INDEX_ONLY_RESET)
        cursor.execute("SET enable_indexscan = off")
        recalls = []
        for literal, found in zip(literals[:RECALL_QUERIES], approximate, strict=False):
            cursor.execute(statement, {"query": literal, "limit": limit})
            exact = {row[0] for row in cursor.fetchall()}
            recalls.append(len(found & exact) / max(len(exact), 1))
        cursor.execute("RESET enable_indexscan")
    plan = re.sub(r"'\[[^\]]*\]'", "'[...]'", plan)  # the 384 numbers of the query vector
    figures = percentiles_ms(samples)
    figures.update(
        {
            "limit": limit,
            "rows_returned": len(rows),
            "ef_search": int(ef_search),
            "index": index,
            "index_mb": _index_size_mb(index),
            "uses_hnsw_index": index in plan,
            "recall_vs_exact": round(float(np.mean(recalls)), 4) if recalls else None,
            "explain": plan,
        }
    )
    return figures


def retrieval_measure(*, bench: BenchCatalogue, requests: int, seed: int) -> dict:
    """The candidate query alone (top FEED_CANDIDATES by inner product) through the product's
    half-precision HNSW index, timed, with EXPLAIN and recall against an exact scan. Plans that
    sort the whole version are ruled out for the measurement: at catalogue scale the planner
    takes the index anyway, and on a tiny bench catalogue (where an exact sort is cheaper and
    PostgreSQL 18 rightly prefers it) it still measures the index."""
    return _search_measure(
        statement=nearest_sql(embedding_version=bench.version, dim=bench.dim),
        index=hnsw_index_name(bench.version),
        literals=_taste_queries(bench, seed),
        requests=requests,
        limit=int(settings.FEED_CANDIDATES),
    )


def full_precision_measure(*, bench: BenchCatalogue, requests: int, seed: int) -> dict:
    """The same search through a full-precision (vector) HNSW index built for the comparison
    and dropped after: what the half-precision index saves and costs."""
    d, index = int(bench.dim), "bench_full_precision_hnsw"
    version = sql.Literal(bench.version).as_string(None)
    with connection.cursor() as cursor:
        cursor.execute(f"SET maintenance_work_mem = '{INDEX_BUILD_MAINTENANCE_WORK_MEM}'")
        cursor.execute(
            f"CREATE INDEX {index} ON {table(VideoEmbedding)} USING hnsw "
            f"((embedding::vector({d})) vector_ip_ops) WITH (m = {HNSW_M}, "
            f"ef_construction = {HNSW_EF_CONSTRUCTION}) WHERE embedding_version = {version}"
        )
        cursor.execute("RESET maintenance_work_mem")
    statement = (
        f"SELECT e.video_id FROM {table(VideoEmbedding)} e WHERE e.embedding_version = {version} "
        f"ORDER BY e.embedding::vector({d}) <#> %(query)s::vector({d}) LIMIT %(limit)s"
    )
    try:
        return _search_measure(
            statement=statement,
            index=index,
            literals=_taste_queries(bench, seed),
            requests=requests,
            limit=int(settings.FEED_CANDIDATES),
        )
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP INDEX IF EXISTS {index}")


def feed_profile(*, user_ids: list[int], calls: int = 10, top: int = 18) -> str:
    """cProfile of in-process feed_page calls (no HTTP): where a page's time goes."""

    users = list(User.objects.filter(pk__in=user_ids[:calls]))
    queries: dict[str, list[float]] = defaultdict(list)

    def timed_query(execute, sql, params, many, context):  # noqa: ANN001, ANN202
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            queries[re.sub(r"\s+", " ", sql)[:150]].append(time.perf_counter() - started)

    profiler = cProfile.Profile()
    started = time.perf_counter()
    with connection.execute_wrapper(timed_query):
        profiler.enable()
        for i, user in enumerate(users):
            feed_page(viewer=user, session_id=f"profile-{i}", cursor=None, limit=PAGE_LIMIT)
        profiler.disable()
    pages = max(len(users), 1)
    per_page_ms = 1000.0 * (time.perf_counter() - started) / pages
    sql_ms = 1000.0 * sum(sum(times) for times in queries.values()) / pages
    lines = [
        f"in-process feed_page (no HTTP): {per_page_ms:.1f} ms per page, of which SQL through "
        f"Django's cursor {sql_ms:.1f} ms in {sum(len(t) for t in queries.values()) / pages:.1f} "
        "queries (binary reads, the page's own statements, show as binary_read below)",
        "slowest Django-cursor statements (ms per page, calls per page):",
    ]
    for statement, times in sorted(queries.items(), key=lambda item: -sum(item[1]))[:8]:
        lines.append(
            f"  {1000.0 * sum(times) / pages:7.1f} ms {len(times) / pages:5.1f}x  {statement}"
        )
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(top)
    return "\n".join(lines) + "\n" + out.getvalue()
