"""The project's own processes: their command lines (`make run`, the bench, the tests) and
starting / stopping them from Python."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx

WORKER_START_TIMEOUT_SECONDS = 60
EMBEDDER_START_TIMEOUT_SECONDS = 300


def daphne_argv(host: str, port: int) -> list[str]:
    """The web server: Daphne (HTTP and websockets through tiktok.asgi) with request bodies
    limited as they arrive (tiktok/web/server.py)."""
    return [
        sys.executable,
        "-m",
        "tiktok.web.server",
        "-b",
        host,
        "-p",
        str(port),
        "tiktok.asgi:application",
    ]


def celery_argv(*args: str) -> list[str]:
    """A Celery command of the project's app (`worker ...`, `beat ...`)."""
    return [sys.executable, "-m", "celery", "-A", "tiktok", *args]


def process_start(
    argv: list[str], *, env: dict[str, str], log_path: Path, cwd: Path
) -> subprocess.Popen:
    """A child with its stdout and stderr in log_path."""
    with open(log_path, "w") as log:
        return subprocess.Popen(argv, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT)


def celery_worker_start(
    *,
    env: dict[str, str],
    log_path: Path,
    cwd: Path,
    queues: str = "celery,feed",
    pool: str = "solo",
) -> subprocess.Popen:
    """A real Celery worker on the given queues (both by default: media and feed), solo pool
    or a one-process prefork pool (which enforces time limits and survives a killed child);
    returns once it logs that it is ready, raising with its log if it does not."""
    argv = celery_argv(
        "worker",
        "-Q",
        queues,
        "--pool",
        pool,
        *(["--concurrency", "1"] if pool == "prefork" else []),
        "--loglevel",
        "INFO",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
    )
    process = process_start(argv, env=env, log_path=log_path, cwd=cwd)
    deadline = time.monotonic() + WORKER_START_TIMEOUT_SECONDS
    while "ready." not in log_path.read_text():
        if process.poll() is not None or time.monotonic() > deadline:
            process_stop(process)
            raise RuntimeError(f"celery worker did not start:\n{log_path.read_text()[-3000:]}")
        time.sleep(0.2)
    return process


def process_stop(process: subprocess.Popen, timeout_s: float = 15) -> None:
    """Terminate a child, killing it if it does not stop in time."""
    process.terminate()
    try:
        process.wait(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=5)


def peak_rss_kb() -> int:
    """This process's peak resident memory in KB (VmHWM: it starts afresh at exec, unlike
    ru_maxrss, which keeps the parent's memory copied at fork)."""
    status = Path("/proc/self/status").read_text()
    return int(next(line for line in status.splitlines() if line.startswith("VmHWM")).split()[1])


def _healthy(url: str) -> bool:
    try:
        return httpx.get(f"{url}/healthz", timeout=3).status_code == 200
    except httpx.HTTPError:
        return False


@contextlib.contextmanager
def embedder_available(url: str, *, log: Callable[[str], None] = print) -> Iterator[str]:
    """The embedder at `url` when it answers; otherwise one started here (CPU backend unless
    EMBEDDER_BACKEND says otherwise, models offline) on a free port for the duration, its
    output in a temporary log shown if it fails to start. Yields the URL to use (the benches:
    the figures then do not depend on `make run` being up)."""
    if _healthy(url):
        log(f"using the embedder at {url}")
        yield url
        return
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    started_url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "EMBEDDER_BACKEND": os.environ.get("EMBEDDER_BACKEND", "cpu"),
        "HF_HUB_OFFLINE": "1",
    }
    log(f"no embedder at {url}: starting one on {started_url} ...")
    with tempfile.TemporaryDirectory(prefix="embedder-") as scratch:
        log_path = Path(scratch) / "embedder.log"
        process = process_start(
            [sys.executable, "-m", "embedder_service", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            log_path=log_path,
            cwd=Path(__file__).resolve().parents[2],
        )
        try:
            deadline = time.monotonic() + EMBEDDER_START_TIMEOUT_SECONDS
            while not _healthy(started_url):
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(
                        f"the embedder did not start: {log_path.read_text()[-2000:]}"
                    )
                time.sleep(0.5)
            yield started_url
        finally:
            process_stop(process)
