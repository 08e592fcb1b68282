"""Loaded with `-p tests.bootstrap` before pytest-django configures Django: test environment.

Tests use the real embedded PostgreSQL and Redis (a separate test database and Redis db
index), with models offline.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

BASE_DIR = Path(__file__).resolve().parent.parent
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("SECRET_KEY", "test-suite-secret-key-not-for-production")
os.environ.setdefault("DEBUG", "0")
# The suite runs production settings (DEBUG off) on the embedded servers, which DEBUG off only
# starts when asked (tiktok.settings.env.embedded_service_allowed).
os.environ.setdefault("EMBEDDED_SERVICES", "1")


# Under pytest-xdist (make test runs two workers) each worker has a database of its own
# (pytest-django suffixes the test database's name with the worker id) and a Redis db index of
# its own, counting down from TEST_REDIS_DB (default 15): gw0 15, gw1 14, ...
_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
if _WORKER.startswith("gw"):
    _base = int(os.environ.get("TEST_REDIS_DB", "15"))
    os.environ["TEST_REDIS_DB"] = str(_base - int(_WORKER[2:]))


def _test_redis_url() -> str:
    """The suite's Redis: REDIS_URL or the embedded server, on its own db index."""
    from tiktok.dev import redis as embedded_redis

    base = os.environ.get("REDIS_URL") or embedded_redis.redis_url(BASE_DIR / "var" / "redis")
    db = os.environ.get("TEST_REDIS_DB", "15")
    parts = urlsplit(base)
    if parts.scheme == "unix":
        return f"unix://{parts.path}?db={db}"
    return urlunsplit(parts._replace(path=f"/{db}"))


os.environ["REDIS_URL"] = _test_redis_url()
