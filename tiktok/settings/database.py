"""Database: DATABASE_URL, or the embedded PostgreSQL 16 + pgvector (pgserver) under var/."""

from __future__ import annotations

import os

import dj_database_url

from tiktok import embedded

from .env import VAR_DIR, env_int, env_str

DATABASE_URL = os.environ.get("DATABASE_URL") or embedded.postgres_url(VAR_DIR / "pgdata")

# HNSW recall: pgvector's default ef_search (40) misses too many true neighbours for a
# 300-500 candidate retrieval; it must be at least the number of rows we ask for.
HNSW_EF_SEARCH = env_int("HNSW_EF_SEARCH", 400)

_db = dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))
_db.setdefault("OPTIONS", {})
_db["OPTIONS"]["options"] = f"-c hnsw.ef_search={HNSW_EF_SEARCH}"
_db["CONN_HEALTH_CHECKS"] = True
# Parallel test runs (or several developers on one embedded server) each get their own DB.
_db["TEST"] = {"NAME": env_str("TEST_DATABASE_NAME", f"test_{_db['NAME']}")}
DATABASES = {"default": _db}
