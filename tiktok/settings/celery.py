"""Celery: broker and results on REDIS_URL; beat schedule."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from .env import env_bool, env_int
from .redis import REDIS_URL


def celery_redis_url(redis_url: str) -> str:
    """Kombu spells Unix-socket Redis as redis+socket:// with the db as virtual_host."""
    parts = urlsplit(redis_url)
    if parts.scheme != "unix":
        return redis_url
    db = parse_qs(parts.query).get("db", ["0"])[0]
    return f"redis+socket://{parts.path}?virtual_host={db}"


CELERY_BROKER_URL = celery_redis_url(REDIS_URL)
CELERY_RESULT_BACKEND = CELERY_BROKER_URL
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_EXPIRES = 3600
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {"global_keyprefix": "celery:"}
# The feed's small, frequent tasks have their own queue and worker, so they never wait behind
# minutes-long media tasks on the default queue (`make run` and docker/compose.yaml run both).
FEED_QUEUE = "feed"
CELERY_TASK_ROUTES = {
    "feed.aggregates_flush": {"queue": FEED_QUEUE},
    "feed.trending_refresh": {"queue": FEED_QUEUE},
}
CELERY_BEAT_SCHEDULE = {
    "trending-refresh": {
        "task": "feed.trending_refresh",
        "schedule": float(env_int("TRENDING_REFRESH_SECONDS", 300)),
    },
    # A safety net: each queued batch schedules its own flush (feed/aggregates.py).
    "aggregates-sweep": {
        "task": "feed.aggregates_flush",
        "schedule": float(env_int("FEED_AGGREGATES_SWEEP_SECONDS", 30)),
    },
}
