"""Media serving throughput for `manage.py bench_pipeline`: a 5 MB video fetched whole through
the media view of a real daphne, from the object store (MEDIA_DELIVERY=proxy), from a local disk
(STORAGE_BACKEND=filesystem), and through a presigned URL straight from the store
(MEDIA_DELIVERY=redirect, the view answering 302)."""

from __future__ import annotations

import hashlib
import os
import secrets
import time
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path
from statistics import median

import httpx
from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone

from tiktok.dev.handles import free_ports
from tiktok.dev.processes import daphne_argv, process_start, process_stop
from tiktok.storage import storage_put
from videos.models import Privacy, Video, VideoStatus

VIDEO_BYTES = 5 * 1024 * 1024
REQUESTS_PER_PATH = 20
SERVER_START_TIMEOUT_SECONDS = 90
BENCH_USERNAME = "bench-media"


def _server_env(extra: dict[str, str]) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": settings.DATABASE_URL,
        "REDIS_URL": settings.REDIS_URL,
        "DEBUG": "0",
        # production settings on this machine's embedded object store (DATABASE_URL and
        # REDIS_URL are the parent's)
        "EMBEDDED_SERVICES": "1",
        "SECRET_KEY": secrets.token_urlsafe(40),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "LOG_LEVEL": "WARNING",
        **extra,
    }


@contextmanager
def _daphne(env: dict[str, str], log_path: Path, probe: str):  # noqa: ANN202
    (port,) = free_ports(1)
    process = process_start(
        daphne_argv("127.0.0.1", port), env=env, log_path=log_path, cwd=Path(settings.BASE_DIR)
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + SERVER_START_TIMEOUT_SECONDS
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"daphne exited:\n{log_path.read_text()[-2000:]}")
            try:
                if httpx.head(base + probe, timeout=5).status_code in (200, 302):
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"daphne not ready:\n{log_path.read_text()[-2000:]}")
            time.sleep(0.25)
        yield base
    finally:
        process_stop(process)


def _measure(fetch: Callable[[], bytes], expected: bytes) -> dict[str, float]:
    fetch()  # first request: connection set-up, not part of the figures
    durations = []
    for _ in range(REQUESTS_PER_PATH):
        started = time.perf_counter()
        body = fetch()
        durations.append(time.perf_counter() - started)
        if body != expected:
            raise RuntimeError(f"served {len(body)} bytes that differ from the stored video")
    return {
        "mb_per_s": round(len(expected) / (1024 * 1024) / (sum(durations) / len(durations)), 1),
        "p50_ms": round(median(durations) * 1000, 1),
    }


def media_throughput(*, storages: dict, scratch: Path, log: Callable[[str], None]) -> dict:
    """Serve one 5 MB public video REQUESTS_PER_PATH times on each path; returns MB/s and the
    median request time per path. The object store location is the one in `storages` (the
    caller's bench folder), which the caller empties afterwards."""
    payload = os.urandom(VIDEO_BYTES)
    owner, _ = get_user_model().objects.get_or_create(username=BENCH_USERNAME)
    video = Video.objects.create(
        owner=owner,
        caption="media bench",
        privacy=Privacy.PUBLIC,
        status=VideoStatus.READY,
        content_hash=hashlib.sha256(payload).hexdigest(),
        duration_s=30.0,
        width=720,
        height=1280,
        published_at=timezone.now(),
    )
    name = f"videos/{video.media_key}/video.mp4"
    path = f"{settings.MEDIA_URL.rstrip('/')}/{name}"
    disk_root = scratch / "disk-media"
    (disk_root / name).parent.mkdir(parents=True, exist_ok=True)
    (disk_root / name).write_bytes(payload)
    results: dict[str, dict[str, float]] = {}
    try:
        runs: list[tuple[str, dict[str, str]]] = [
            ("disk, view streams", {"STORAGE_BACKEND": "filesystem", "MEDIA_ROOT": str(disk_root)})
        ]
        if settings.STORAGE_BACKEND == "s3":
            storage_put(name, disk_root / name)
            location = storages["default"]["OPTIONS"].get("location", "")
            store = {"STORAGE_BACKEND": "s3", "S3_LOCATION": location}
            runs.insert(0, ("S3, view streams", {**store, "MEDIA_DELIVERY": "proxy"}))
            runs.append(("S3, presigned redirect", {**store, "MEDIA_DELIVERY": "redirect"}))
        with httpx.Client(timeout=60, follow_redirects=True) as client:
            for label, extra in runs:
                log(f"media serving: {label} ...")
                log_path = scratch / f"daphne-{len(results)}.log"
                with _daphne(_server_env(extra), log_path, path) as base:
                    results[label] = _measure(lambda b=base: client.get(b + path).content, payload)
    finally:
        video.delete()
        owner.delete()
    return {"video_bytes": VIDEO_BYTES, "requests": REQUESTS_PER_PATH, "paths": results}
