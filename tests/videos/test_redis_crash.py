"""Redis crashes (SIGKILL) while a video is in the pipeline and interaction events wait to be
applied - some of them for a video deleted meanwhile - and comes back: with real web, worker and
beat processes on a Redis of their own, the video still ends ready, every event of the video
that still exists reaches the aggregates, and the deleted one's are skipped, not set aside (the
append-only file keeps the queues; a step that could not hand off the next is sent again by the
sweep)."""

from __future__ import annotations

import os
import signal
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
import redis
from rest_framework.authtoken.models import Token

from feed.aggregates import DEAD_KEY, QUEUE_KEY
from feed.models import VideoStats
from tests.conftest import (
    BASE_DIR,
    child_env,
    start_celery_worker,
    start_web_server,
    stop_process,
)
from tests.factories import TEST_EMBEDDING_VERSION
from tests.feed.factories import axis, video_with_vector
from tests.support.media import make_clip
from tiktok.dev.processes import celery_argv, process_start
from tiktok.dev.redis import EmbeddedRedis
from videos.models import Video, VideoStatus

pytestmark = pytest.mark.django_db(transaction=True)  # the servers are other processes

WAIT_SECONDS = 240


def _wait(check: Callable[[], bool], what: str, logs: list[Path]) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while not check():
        if time.monotonic() > deadline:
            tails = "\n".join(f"--- {log.name}\n{log.read_text()[-2500:]}" for log in logs)
            raise AssertionError(f"timed out waiting for {what}\n{tails}")
        time.sleep(0.2)


def _start_redis(folder: Path) -> tuple[EmbeddedRedis, redis.Redis]:
    server = EmbeddedRedis(folder)
    client = redis.Redis.from_url(server.acquire())
    client.config_set("appendfsync", "always")  # the product fsyncs every second
    return server, client


def test_a_redis_crash_and_a_deleted_video_lose_no_video_and_no_event(
    user,  # noqa: ANN001
    embedder,  # noqa: ANN001
    tmp_path: Path,
) -> None:
    server, client = _start_redis(tmp_path / "redis")
    env = child_env(
        REDIS_URL=server.url,
        ALLOWED_HOSTS="127.0.0.1",
        ACTIVE_EMBEDDING_VERSION=TEST_EMBEDDING_VERSION,
        FEED_AGGREGATES_DELAY_SECONDS="3",  # the crash lands before the flush
        FEED_AGGREGATES_SWEEP_SECONDS="2",
        PIPELINE_SWEEP_SECONDS="2",
        PIPELINE_SWEEP_GRACE_SECONDS="3",
    )
    logs = [tmp_path / name for name in ("web.log", "worker.log", "beat.log")]
    web, base = start_web_server(env=env, log_path=logs[0])
    worker = start_celery_worker(env=env, log_path=logs[1])
    beat = process_start(
        celery_argv("beat", "-l", "info", "-s", str(tmp_path / "beat-schedule")),
        env=env,
        log_path=logs[2],
        cwd=BASE_DIR,
    )
    watched = video_with_vector(axis(0))
    doomed = video_with_vector(axis(1), owner=user)
    token = Token.objects.create(user=user).key
    headers = {"Authorization": f"Token {token}", "X-Session-Id": "crash-test"}
    try:
        clip = make_clip(tmp_path / "clip.mp4", seconds=6)
        with clip.open("rb") as handle:
            upload = httpx.post(
                f"{base}/api/videos", headers=headers, files={"file": handle}, timeout=60
            )
        assert upload.status_code == 201, upload.text
        video_id = upload.json()["id"]
        events = [
            {"event_id": str(uuid.uuid4()), "video_id": target.pk, "type": kind, "watch_ms": 0}
            for target in (watched, doomed)
            for kind in ("play", "rewatch", "finish")
        ]
        recorded = httpx.post(f"{base}/api/interactions", headers=headers, json=events)
        assert recorded.json()["accepted"] == 6, recorded.text
        assert client.llen(QUEUE_KEY) >= 1  # queued, not applied yet
        deleted = httpx.delete(f"{base}/api/videos/{doomed.pk}", headers=headers)
        assert deleted.status_code == 204, deleted.text

        os.kill(int((tmp_path / "redis" / "redis.pid").read_text()), signal.SIGKILL)
        time.sleep(2)  # down for a while: requests and tasks meet a dead socket
        server, client = _start_redis(tmp_path / "redis")

        _wait(
            lambda: Video.objects.filter(
                pk=video_id, status__in=[VideoStatus.READY, VideoStatus.FAILED]
            ).exists(),
            "the video to finish",
            logs,
        )
        _wait(lambda: client.llen(QUEUE_KEY) == 0, "the aggregates queue to drain", logs)
        assert client.llen(DEAD_KEY) == 0  # the deleted video's entries skipped, not set aside
    finally:
        for process in (beat, worker, web):
            stop_process(process)
        server.release()
    video = Video.objects.get(pk=video_id)
    assert video.status == VideoStatus.READY, video.failure_reason
    stats = VideoStats.objects.get(video=watched)
    assert (stats.plays, stats.finishes, stats.positives) == (1, 1, 1)
    assert not VideoStats.objects.filter(video_id=doomed.pk).exists()
