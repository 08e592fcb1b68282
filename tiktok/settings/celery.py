"""Celery: broker and results on REDIS_URL; beat schedule."""

from __future__ import annotations

import tempfile
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from django.core.exceptions import ImproperlyConfigured

from .env import env_bool, env_float, env_int, env_str
from .redis import REDIS_URL


def celery_redis_url(redis_url: str) -> str:
    """Kombu spells Unix-socket Redis as redis+socket:// with the db as virtual_host."""
    parts = urlsplit(redis_url)
    if parts.scheme != "unix":
        return redis_url
    db = parse_qs(parts.query).get("db", ["0"])[0]
    return f"redis+socket://{parts.path}?virtual_host={db}"


# The broker defaults to REDIS_URL; CELERY_BROKER_URL puts the task queue on another server.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "") or celery_redis_url(REDIS_URL)
CELERY_RESULT_BACKEND = celery_redis_url(REDIS_URL)
# Publishing to an unreachable broker gives up within about a second (the sweep sends it later).
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
}
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
# Time limits (enforced by the prefork pool that `make run` and docker/compose.yaml give the
# media worker): at the soft limit the task gets SoftTimeLimitExceeded and records why; at the
# hard limit the pool kills the process. Every task has the defaults; pipeline steps their own.
# The hard limit of every task is its soft limit plus this.
PIPELINE_HARD_LIMIT_GRACE_SECONDS = 60
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT_SECONDS", 300)
CELERY_TASK_TIME_LIMIT = CELERY_TASK_SOFT_TIME_LIMIT + PIPELINE_HARD_LIMIT_GRACE_SECONDS
# Corpus-wide jobs (re-tagging every video, embedding every tag phrase).
LONG_TASK_SOFT_TIME_LIMIT = env_int("LONG_TASK_SOFT_TIME_LIMIT_SECONDS", 3600)
LONG_TASK_TIME_LIMIT = LONG_TASK_SOFT_TIME_LIMIT + PIPELINE_HARD_LIMIT_GRACE_SECONDS
PIPELINE_STEP_TIME_LIMITS = {
    "transcode": env_int("TRANSCODE_TIME_LIMIT_SECONDS", 1200),
    "transcribe": env_int("TRANSCRIBE_TIME_LIMIT_SECONDS", 900),
    "embed": env_int("EMBED_TIME_LIMIT_SECONDS", 600),
    "tag": env_int("TAG_TIME_LIMIT_SECONDS", 300),
    "publish": env_int("PUBLISH_TIME_LIMIT_SECONDS", 120),
}
# A step whose worker died this many times mid-step (SIGKILL, the OOM killer, the hard limit)
# fails the video with that reason instead of being handed out again.
PIPELINE_MAX_INTERRUPTIONS = env_int("PIPELINE_MAX_INTERRUPTIONS", 2)
# Local copies of stored files and the steps' work folders go here; a worker process removes
# what is older than the longest hard limit when it starts (a SIGKILLed step cleans nothing).
PIPELINE_TEMP_ROOT = Path(
    env_str("PIPELINE_TEMP_ROOT", "") or Path(tempfile.gettempdir()) / "tiktok-pipeline"
)
# A step that cannot reach the embedder (or the object store) waits with exponential backoff
# (base doubling, capped) and resumes by itself when it is back; it gives up only after waiting
# this long. Other transient errors are retried 5 times on the same backoff.
PIPELINE_RETRY_BASE_SECONDS = env_float("PIPELINE_RETRY_BASE_SECONDS", 5.0)
PIPELINE_RETRY_MAX_SECONDS = env_float("PIPELINE_RETRY_MAX_SECONDS", 300.0)
PIPELINE_OUTAGE_MAX_WAIT_SECONDS = env_int("PIPELINE_OUTAGE_MAX_WAIT_SECONDS", 6 * 3600)
if PIPELINE_RETRY_BASE_SECONDS <= 0 or PIPELINE_RETRY_MAX_SECONDS < PIPELINE_RETRY_BASE_SECONDS:
    raise ImproperlyConfigured(
        "PIPELINE_RETRY_BASE_SECONDS must be above 0 and PIPELINE_RETRY_MAX_SECONDS at least as "
        f"large (got {PIPELINE_RETRY_BASE_SECONDS} and {PIPELINE_RETRY_MAX_SECONDS})"
    )
# The broker gives an unacknowledged task to another worker after this long: longer than any
# hard limit, so a task still running is never run twice at once.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "global_keyprefix": "celery:",
    "visibility_timeout": int(
        max(
            3600,
            2 * (max(PIPELINE_STEP_TIME_LIMITS.values()) + PIPELINE_HARD_LIMIT_GRACE_SECONDS),
            2 * CELERY_TASK_TIME_LIMIT,
            2 * LONG_TASK_TIME_LIMIT,
            # a retry's countdown is held by a worker, unacknowledged, until it is due
            2 * PIPELINE_RETRY_MAX_SECONDS,
        )
    ),
}
# The feed's small, frequent tasks have their own queue and worker, so they never wait behind
# minutes-long media tasks on the default queue (`make run` and docker/compose.yaml run both).
FEED_QUEUE = "feed"
CELERY_TASK_ROUTES = {
    # A caption edit's re-tag: one matrix product, not behind the transcodes.
    "tagging.retag_video": {"queue": FEED_QUEUE},
    "feed.aggregates_flush": {"queue": FEED_QUEUE},
    "feed.trending_refresh": {"queue": FEED_QUEUE},
    "videos.pipeline_sweep": {"queue": FEED_QUEUE},
    "profiles.sessions_clear": {"queue": FEED_QUEUE},
    # A like should reach its creator's open page within a second, not after a transcode.
    "notifications.deliver": {"queue": FEED_QUEUE},
    "notifications.prune": {"queue": FEED_QUEUE},
    # A reset link should not wait behind a transcode.
    "profiles.mail_send": {"queue": FEED_QUEUE},
    "profiles.password_reset_mails": {"queue": FEED_QUEUE},
    # Creator analytics rollups: short SQL recomputations, never behind a transcode.
    "studio.rollup_hours": {"queue": FEED_QUEUE},
    "studio.rollup_days": {"queue": FEED_QUEUE},
    "discover.lists_refresh": {"queue": FEED_QUEUE},
}
# Runs the broker never got, or whose task was lost with its worker, are sent again.
PIPELINE_SWEEP_SECONDS = env_int("PIPELINE_SWEEP_SECONDS", 60, minimum=1)
PIPELINE_SWEEP_GRACE_SECONDS = env_int("PIPELINE_SWEEP_GRACE_SECONDS", 60, minimum=0)
CELERY_BEAT_SCHEDULE = {
    "pipeline-sweep": {
        "task": "videos.pipeline_sweep",
        "schedule": float(PIPELINE_SWEEP_SECONDS),
        # on the feed queue (small tasks, never behind transcodes); a late one is dropped
        "options": {"queue": FEED_QUEUE, "expires": float(PIPELINE_SWEEP_SECONDS)},
    },
    "trending-refresh": {
        "task": "feed.trending_refresh",
        "schedule": float(env_int("TRENDING_REFRESH_SECONDS", 300, minimum=1)),
    },
    # Expired sign-in sessions (database rows) are deleted once a day.
    "sessions-clear": {
        "task": "profiles.sessions_clear",
        "schedule": float(env_int("SESSIONS_CLEAR_SECONDS", 24 * 3600, minimum=1)),
    },
    # Old read notifications are deleted once a day (NOTIFICATIONS_KEEP_READ_DAYS).
    "notifications-prune": {
        "task": "notifications.prune",
        "schedule": float(env_int("NOTIFICATIONS_PRUNE_SECONDS", 24 * 3600, minimum=1)),
    },
    # A safety net: each queued batch schedules its own flush (feed/aggregates.py).
    "aggregates-sweep": {
        "task": "feed.aggregates_flush",
        "schedule": float(env_int("FEED_AGGREGATES_SWEEP_SECONDS", 30, minimum=1)),
    },
    # Creator analytics (tiktok/settings/studio.py): the current and previous hour, then
    # today and yesterday, each recomputed from the interaction log (idempotent).
    "studio-rollup-hours": {
        "task": "studio.rollup_hours",
        "schedule": float(env_int("STUDIO_ROLLUP_HOURS_SECONDS", 300, minimum=1)),
    },
    "studio-rollup-days": {
        "task": "studio.rollup_days",
        "schedule": float(env_int("STUDIO_ROLLUP_DAYS_SECONDS", 900, minimum=1)),
    },
    # The Discover page's lists and challenge joins missed by the publish event.
    "discover-refresh": {
        "task": "discover.lists_refresh",
        "schedule": float(env_int("DISCOVER_REFRESH_SECONDS", 300, minimum=1)),
    },
}
# Search: pending query counts (Redis) folded into the suggestions' table.
CELERY_TASK_ROUTES["search.queries_flush"] = {"queue": FEED_QUEUE}
CELERY_BEAT_SCHEDULE["search-queries-flush"] = {
    "task": "search.queries_flush",
    "schedule": float(env_int("SEARCH_QUERIES_FLUSH_SECONDS", 60, minimum=1)),
}
# Dictionary words no document holds and old one-off queries, deleted once a day.
CELERY_TASK_ROUTES["search.prune"] = {"queue": FEED_QUEUE}
CELERY_BEAT_SCHEDULE["search-prune"] = {
    "task": "search.prune",
    "schedule": float(env_int("SEARCH_PRUNE_SECONDS", 24 * 3600, minimum=1)),
}
# Data archives: the build copies a person's videos (the default queue, beside the pipeline);
# the sweep is a few short queries.
CELERY_TASK_ROUTES["takeout.sweep"] = {"queue": FEED_QUEUE}
CELERY_BEAT_SCHEDULE["takeout-sweep"] = {
    "task": "takeout.sweep",
    "schedule": float(env_int("TAKEOUT_SWEEP_SECONDS", 3600, minimum=1)),
}
# Stored files no row refers to (a deletion the store refused for hours, a crash between a
# commit and its files' deletion), deleted once a day; it lists the whole store.
CELERY_BEAT_SCHEDULE["media-orphans-sweep"] = {
    "task": "videos.media_orphans_sweep",
    "schedule": float(env_int("MEDIA_ORPHANS_SWEEP_SECONDS", 24 * 3600, minimum=1)),
}
# Deletions of stored files after their rows' commit (tiktok.storage.storage_delete_later):
# the task is defined there, in no app's tasks module.
CELERY_IMPORTS = ("tiktok.storage",)
# Each periodic run expires when the next one is due: one that waited that long in its queue
# (a worker down for hours while beat went on) is dropped, since the next does the same work;
# the backlog of hundreds of refreshes and flushes had run first, ahead of mail and notices.
for _entry in CELERY_BEAT_SCHEDULE.values():
    _entry.setdefault("options", {}).setdefault("expires", _entry["schedule"])
del _entry
