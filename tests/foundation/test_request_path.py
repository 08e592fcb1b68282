"""The request path's plumbing: one Redis pool per process for the cache, pooled database
connections, and the middleware chain entered once per ASGI request."""

from __future__ import annotations

import asyncio
import inspect
import threading

import pytest
from django.core.cache import caches
from django.db import connection

from tiktok.cache import SharedConnectionPool


def test_cache_objects_of_different_request_contexts_share_one_redis_pool():
    # Django builds a cache object per request context under ASGI; each used to get its own
    # pool and so a fresh connection per request.
    first = caches.create_connection("default")
    second = caches.create_connection("default")
    assert first is not second
    first.set("pool-check", 1)
    assert second.get("pool-check") == 1
    pool = first._cache.get_client(write=True).connection_pool
    assert isinstance(pool, SharedConnectionPool)
    assert second._cache.get_client(write=True).connection_pool is pool


@pytest.mark.django_db(transaction=True)
def test_database_connections_are_reused_from_the_pool():
    assert connection.pool is not None
    seen: list[int] = []

    def request() -> None:  # what each request does: take a connection, give it back
        from django.db import connection as thread_connection

        thread_connection.ensure_connection()
        seen.append(thread_connection.connection.info.backend_pid)
        thread_connection.close()

    for _ in range(6):  # one after another, each in its own thread like ASGI requests
        worker = threading.Thread(target=request)
        worker.start()
        worker.join()
    assert len(seen) == 6
    # The pool's connections (as many as earlier concurrency grew it to), not six new ones.
    assert len(set(seen)) <= connection.pool.get_stats()["pool_size"] < len(seen)


def _asgi_get(path: str, headers: list[tuple[bytes, bytes]] | None = None) -> tuple[int, bytes]:
    from tiktok.asgi import application

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"localhost"), *(headers or [])],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 80),
    }
    messages = [{"type": "http.request", "body": b"", "more_body": False}]
    sent: list[dict] = []

    async def receive() -> dict:
        if messages:
            return messages.pop()
        await asyncio.sleep(3600)
        return {"type": "http.disconnect"}

    async def send(message: dict) -> None:
        sent.append(message)

    asyncio.run(application(scope, receive, send))
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return sent[0]["status"], body


@pytest.mark.django_db(transaction=True)
def test_asgi_requests_run_the_middleware_chain_synchronously(settings):
    from tiktok.asgi import django_asgi_app

    settings.ALLOWED_HOSTS = ["localhost"]
    # Loaded in sync mode: no middleware crosses between the event loop and a worker thread.
    assert not inspect.iscoroutinefunction(django_asgi_app._middleware_chain)
    status, body = _asgi_get("/api/auth/me")
    assert status == 401 and b"error" in body  # the API's JSON error shape, through the chain
    status, body = _asgi_get("/api/no-such-endpoint")
    assert status == 404 and body.startswith(b"{")


def test_the_web_entry_point_runs_numpy_with_one_blas_thread():
    import os
    import subprocess
    import sys

    from tests.conftest import BASE_DIR

    env = {
        k: v for k, v in os.environ.items() if k not in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS")
    }
    code = (
        "import sys, os; import tiktok.asgi; "
        "print(os.environ['OPENBLAS_NUM_THREADS'], os.environ['OMP_NUM_THREADS'])"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=BASE_DIR, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.split()[-2:] == ["1", "1"]
