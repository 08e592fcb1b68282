"""Real workers that die or hang: a prefork Celery worker (what `make run` starts) whose process
is SIGKILLed mid-step, or whose step waits on an embedder that accepts and never answers. Every
video ends ready, or failed with the reason; none is handed out forever."""

from __future__ import annotations

import signal
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import psutil
import pytest

from tests.conftest import child_env, start_celery_worker, stop_process
from tests.support.media import make_clip
from videos.models import PipelineStep, StepState, Video, VideoStatus

pytestmark = pytest.mark.django_db(transaction=True)  # the worker is another process

WAIT_SECONDS = 180


@pytest.fixture
def silent_embedder(settings) -> Iterator[str]:  # noqa: ANN001
    """The embedder the workers use: a TCP server that accepts every connection and never
    answers (an embedder host hung on its GPU); a step waits until its time limit or a kill."""
    server = socket.create_server(("127.0.0.1", 0))
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except TimeoutError:
                continue
            except OSError:
                return

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    settings.EMBEDDER_URL = f"http://127.0.0.1:{server.getsockname()[1]}"
    yield settings.EMBEDDER_URL
    stop.set()
    thread.join(5)
    for connection in held:
        connection.close()
    server.close()


@contextmanager
def _prefork_worker(tmp_path: Path, **env: str) -> Iterator[tuple[object, Path]]:
    """A one-process prefork worker (time limits, a pool process that can be killed) and its log."""
    log = tmp_path / "worker.log"
    worker = start_celery_worker(env=child_env(**env), log_path=log, pool="prefork")
    try:
        yield worker, log
    finally:
        stop_process(worker)


def _upload(client, path: Path) -> Video:  # noqa: ANN001
    with path.open("rb") as handle:
        response = client.post("/api/videos", {"file": handle, "caption": "x"}, format="multipart")
    assert response.status_code == 201, response.json()
    return Video.objects.get(pk=response.json()["id"])


def _wait(check: Callable[[], bool], what: str, log: Path) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}\n{log.read_text()[-3000:]}")
        time.sleep(0.02)


def _running(video: Video, name: str, attempt: int) -> Callable[[], bool]:
    return PipelineStep.objects.filter(
        video=video, name=name, state=StepState.RUNNING, attempts=attempt
    ).exists


def _finished(video: Video) -> Callable[[], bool]:
    return Video.objects.filter(
        pk=video.pk, status__in=[VideoStatus.READY, VideoStatus.FAILED]
    ).exists


def _kill_pool_process(worker) -> None:  # noqa: ANN001
    """SIGKILL the pool process running the task (as the OOM killer would)."""
    children = psutil.Process(worker.pid).children()
    assert len(children) == 1, children
    children[0].send_signal(signal.SIGKILL)
    children[0].wait(10)


def test_a_worker_killed_mid_transcode_finishes_the_video_on_redelivery(
    embedder,  # noqa: ANN001
    auth_client,  # noqa: ANN001
    tmp_path: Path,
) -> None:
    # Long enough that the transcode is still running when the kill lands.
    source = make_clip(tmp_path / "long.mp4", width=640, height=360, seconds=20, fps=30, audio=None)
    with _prefork_worker(tmp_path) as (worker, log):
        video = _upload(auth_client, source)
        _wait(_running(video, "transcode", 1), "the transcode to start", log)
        _kill_pool_process(worker)
        _wait(_finished(video), "the video to finish", log)
    video.refresh_from_db()
    assert video.status == VideoStatus.READY, (video.failure_reason, log.read_text()[-3000:])
    step = video.steps.get(name="transcode")
    assert (step.attempts, step.interrupted, step.state) == (2, 1, StepState.DONE)


def test_a_step_that_kills_its_worker_every_time_fails_the_video_instead_of_looping(
    silent_embedder: str,
    auth_client,
    tmp_path: Path,  # noqa: ANN001
) -> None:
    with _prefork_worker(tmp_path) as (worker, log):
        video = _upload(auth_client, make_clip(tmp_path / "silent.mp4", audio=None))
        for attempt in (1, 2):
            _wait(_running(video, "embed", attempt), f"embed attempt {attempt}", log)
            _kill_pool_process(worker)
        _wait(_finished(video), "the video to fail", log)
    video.refresh_from_db()
    assert video.status == VideoStatus.FAILED
    assert video.failure_reason.startswith("embed: the worker running this step stopped 2 times")
    step = video.steps.get(name="embed")
    assert (step.attempts, step.interrupted, step.state) == (3, 2, StepState.FAILED)
    assert video.published_at is None


def test_a_step_over_its_soft_time_limit_fails_with_that_reason(
    silent_embedder: str,
    auth_client,
    tmp_path: Path,  # noqa: ANN001
) -> None:
    with _prefork_worker(tmp_path, EMBED_TIME_LIMIT_SECONDS="3") as (_, log):
        video = _upload(auth_client, make_clip(tmp_path / "silent.mp4", audio=None))
        _wait(_finished(video), "the video to fail", log)
    video.refresh_from_db()
    assert video.status == VideoStatus.FAILED
    assert video.failure_reason == "embed: took longer than its time limit of 3 s"
    assert video.steps.get(name="embed").attempts == 1
