"""GET /api/health: the state of every part the product needs, 503 naming what is down.

Anyone gets a cheap liveness answer (`{"status": "ok"}`: this process serves requests; nothing
else is pinged). Staff, or a caller presenting `Authorization: Bearer $HEALTH_TOKEN`, get the
full report: every check runs, with versions, worker names and error text.

The project's own parts (database, Redis, Celery, embedder) are checked here; an app adds the
checks of what it owns with `health_check_register` from its AppConfig.ready() (the feed its
aggregates queue, say), so this module imports no app.
"""

from __future__ import annotations

import hmac
import time
from collections.abc import Callable
from typing import Any

import httpx
import redis
from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from tiktok.api.errors import error_body
from tiktok.celery import app as celery_app
from tiktok.storage import check_storage

CHECK_TIMEOUT_SECONDS = 2.0
# What an external PostgreSQL must offer (README: External PostgreSQL).
MIN_PGVECTOR = (0, 8)

HealthCheck = Callable[[], dict[str, Any]]


def check_database() -> dict[str, Any]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('server_version')")
        server_version = cursor.fetchone()[0]
        cursor.execute("SELECT extname, extversion FROM pg_extension")
        extensions = dict(cursor.fetchall())
    if "vector" not in extensions:
        raise RuntimeError("pgvector extension is not installed (run migrations)")
    version = tuple(int(part) for part in extensions["vector"].split(".")[:2])
    if version < MIN_PGVECTOR:
        raise RuntimeError(
            f"pgvector {extensions['vector']} is too old: the feed needs 0.8 or newer "
            "(ALTER EXTENSION vector UPDATE after installing it)"
        )
    for name in ("pg_trgm", "unaccent"):
        if name not in extensions:
            raise RuntimeError(f"{name} extension is not installed (run migrations)")
    return {
        "postgres": server_version,
        "pgvector": extensions["vector"],
        "pg_trgm": extensions["pg_trgm"],
        "unaccent": extensions["unaccent"],
    }


def check_redis() -> dict[str, Any]:
    client = redis.Redis.from_url(settings.REDIS_URL, socket_timeout=CHECK_TIMEOUT_SECONDS)
    try:
        client.ping()
        return {"version": client.info("server").get("redis_version")}
    finally:
        client.close()


def check_celery() -> dict[str, Any]:
    """Every queue tasks are routed to has a worker consuming it: the media queue (the
    pipeline, data archives) and the feed queue (aggregates, notifications, mail). A ping that
    any one worker answered passed while the media worker was dead and uploads piled up."""
    queues_by_worker = (
        celery_app.control.inspect(timeout=CHECK_TIMEOUT_SECONDS).active_queues() or {}
    )
    if not queues_by_worker:
        raise RuntimeError("no Celery worker answered")
    consumed = {queue["name"] for queues in queues_by_worker.values() for queue in queues}
    needed = {getattr(settings, "CELERY_TASK_DEFAULT_QUEUE", "celery"), settings.FEED_QUEUE}
    missing = sorted(needed - consumed)
    if missing:
        raise RuntimeError(f"no Celery worker consumes the queue(s): {', '.join(missing)}")
    return {"workers": sorted(queues_by_worker), "queues": sorted(consumed)}


def check_embedder() -> dict[str, Any]:
    response = httpx.get(f"{settings.EMBEDDER_URL}/healthz", timeout=CHECK_TIMEOUT_SECONDS)
    body = response.json()
    if response.status_code != 200:
        raise RuntimeError(f"embedder answered {response.status_code}: {body.get('status', body)}")
    return {
        key: body.get(key) for key in ("backend", "model", "dim", "embedding_version", "device")
    }


# name -> (position in the report, check)
_checks: dict[str, tuple[int, HealthCheck]] = {
    "database": (10, check_database),
    "storage": (15, check_storage),
    "redis": (20, check_redis),
    "celery": (30, check_celery),
    "embedder": (90, check_embedder),
}


def health_check_register(name: str, check: HealthCheck, *, position: int = 50) -> None:
    """Add (or replace) a named check; it raises to report its part as failing."""
    _checks[name] = (position, check)


def health_checks() -> dict[str, HealthCheck]:
    """Every registered check, in report order."""
    return {name: check for name, (_, check) in sorted(_checks.items(), key=lambda i: i[1][0])}


def _run(check: HealthCheck) -> dict[str, Any]:
    started = time.monotonic()
    try:
        result = {"ok": True, **check()}
    except Exception as exc:  # noqa: BLE001 - every failure is reported, none is raised
        result = {"ok": False, "error": f"{type(exc).__name__}: {exc}"}
    result["ms"] = round((time.monotonic() - started) * 1000, 1)
    return result


def health_detail_allowed(request: HttpRequest) -> bool:
    """Staff, or the operator's monitoring with the health token."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and user.is_staff:
        return True
    token = settings.HEALTH_TOKEN
    presented = request.headers.get("Authorization", "")
    return bool(token) and hmac.compare_digest(presented.encode(), f"Bearer {token}".encode())


ALLOWED_METHODS = "GET, HEAD, OPTIONS"


@csrf_exempt  # it changes nothing; a POST is answered 405, not the CSRF failure page
def health(request: HttpRequest) -> HttpResponse:
    """GET and HEAD answer the same (many uptime monitors send HEAD); OPTIONS, which HAProxy's
    `option httpchk` sends by default, answers 200 without running a check; other methods a
    405 in the API's error shape (a bare HTML 405 marked a healthy node as down)."""
    if request.method == "OPTIONS":
        return HttpResponse(status=200, headers={"Allow": ALLOWED_METHODS})
    if request.method not in ("GET", "HEAD"):
        return JsonResponse(
            error_body("method_not_allowed", f'method "{request.method}" not allowed (use GET)'),
            status=405,
            headers={"Allow": ALLOWED_METHODS},
        )
    if not health_detail_allowed(request):
        return JsonResponse({"status": "ok"})
    components = {name: _run(check) for name, check in health_checks().items()}
    failing = [name for name, result in components.items() if not result["ok"]]
    body = {"status": "ok" if not failing else "degraded", "failing": failing, **components}
    return JsonResponse(body, status=503 if failing else 200)
