"""The request path's plumbing: one Redis pool per process for the cache, pooled database
connections, and each ASGI request run start to finish in one call on a pooled worker thread."""

from __future__ import annotations

import inspect
import threading

import pytest
from django.core.cache import caches
from django.db import connection

from tests.asgi_client import asgi_get
from tiktok.db.redis_pool import SharedConnectionPool


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
    connection.ensure_connection()  # the pool exists and holds at least one connection
    opened_before = connection.pool.get_stats()["connections_num"]
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
    # Served by the pool's connections (as many as earlier tests grew it to): none was opened
    # for these requests.
    assert connection.pool.get_stats()["connections_num"] == opened_before
    assert len(set(seen)) <= connection.pool.get_stats()["pool_size"]


def _asgi_get(path: str, headers: list[tuple[bytes, bytes]] | None = None) -> tuple[int, bytes]:
    status, _, body = asgi_get(path, headers)
    return status, body


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


@pytest.mark.django_db(transaction=True)
def test_each_request_runs_on_the_pooled_worker_threads_with_its_signals(settings):
    from django.core import signals

    settings.ALLOWED_HOSTS = ["localhost"]
    events: list[tuple[str, str]] = []

    def started(**_kwargs) -> None:  # noqa: ANN003
        events.append(("started", threading.current_thread().name))

    def finished(**_kwargs) -> None:  # noqa: ANN003
        events.append(("finished", threading.current_thread().name))

    signals.request_started.connect(started)
    signals.request_finished.connect(finished)
    from tiktok.web.asgi_handler import web_threads

    requests = web_threads() + 4
    try:
        for _ in range(requests):
            assert _asgi_get("/api/auth/me")[0] == 401
    finally:
        signals.request_started.disconnect(started)
        signals.request_finished.disconnect(finished)
    assert [kind for kind, _ in events] == ["started", "finished"] * requests
    threads = {name for _, name in events}
    # No thread per request: the handler's fixed pool serves them. (Which of its threads, and
    # how many of them, one after another is up to the pool: on a loaded machine a thread is
    # not yet back among the idle ones when the next request comes, and the pool starts one.)
    assert all(name.startswith("django-request") for name in threads)
    assert len(threads) <= web_threads() < requests


def test_web_threads_setting(monkeypatch):
    from tiktok.web.asgi_handler import WEB_THREADS_DEFAULT, web_threads

    monkeypatch.delenv("WEB_THREADS", raising=False)
    assert web_threads() == WEB_THREADS_DEFAULT
    monkeypatch.setenv("WEB_THREADS", "3")
    assert web_threads() == 3
    for bad in ("0", "many", "-2"):
        monkeypatch.setenv("WEB_THREADS", bad)
        with pytest.raises(ValueError, match="WEB_THREADS must be a positive integer"):
            web_threads()


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
