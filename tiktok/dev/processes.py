"""The project's own processes: their command lines (`make run`, the bench, the tests) and
starting / stopping them from Python."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

WORKER_START_TIMEOUT_SECONDS = 60


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
