"""Starting and stopping the project's own processes from Python (benchmarks, tests)."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

WORKER_START_TIMEOUT_SECONDS = 60


def celery_worker_start(
    *, env: dict[str, str], log_path: Path, cwd: Path, queues: str = "celery,feed"
) -> subprocess.Popen:
    """A real solo-pool Celery worker on the given queues (both by default: media and feed);
    returns once it logs that it is ready, raising with its log if it does not."""
    with open(log_path, "w") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "tiktok",
                "worker",
                "-Q",
                queues,
                "--pool",
                "solo",
                "--loglevel",
                "INFO",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
            ],
            cwd=cwd,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
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
