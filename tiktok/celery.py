"""The Celery application shared by workers, beat and the web process (for enqueueing)."""

import os

from celery import Celery
from celery.signals import worker_process_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tiktok.settings")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

app = Celery("tiktok")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_process_init.connect
def _forget_inherited_database_pools(**kwargs) -> None:  # noqa: ANN003
    """A prefork child must not use the parent's PostgreSQL pool (its sockets are shared with the
    parent and its maintenance threads did not survive the fork): drop it, unclosed, so the child
    opens its own on first use."""
    from django.db import connections

    for connection in connections.all(initialized_only=True):
        getattr(type(connection), "_connection_pools", {}).clear()
        connection.connection = None


@worker_process_init.connect
def _remove_what_killed_steps_left(**kwargs) -> None:  # noqa: ANN003
    """A step killed mid-way (SIGKILL, the OOM killer, its hard limit) never removes its
    temporary files; a new worker process (the pool replaces a killed one) removes the folders
    of this host's processes that are gone, and other entries older than the longest hard
    limit (`storage_temp_clean`), so a worker's disk does not fill up with them."""
    from django.conf import settings

    from tiktok.storage import storage_temp_clean

    longest = max(settings.PIPELINE_STEP_TIME_LIMITS.values())
    storage_temp_clean(older_than_seconds=longest + settings.PIPELINE_HARD_LIMIT_GRACE_SECONDS)
