"""The advisory lock a live in-process pipeline run holds (videos.pipeline.local), taken from
another database session, as another process's run would hold it."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection

from videos.pipeline.local import RUN_LOCK_BASE


@contextmanager
def run_lock_held_elsewhere(video_id: int) -> Iterator[None]:
    held, release = threading.Event(), threading.Event()

    def hold() -> None:
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_lock(%s)", [RUN_LOCK_BASE + video_id])
                held.set()
                release.wait(60)
                cursor.execute("SELECT pg_advisory_unlock(%s)", [RUN_LOCK_BASE + video_id])
        finally:
            connection.close()

    thread = threading.Thread(target=hold)
    thread.start()
    assert held.wait(60), "the lock was not taken"
    try:
        yield
    finally:
        release.set()
        thread.join()
