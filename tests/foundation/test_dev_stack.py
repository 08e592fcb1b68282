"""`make run`'s stack (tiktok/dev/stack.py): what its children are told and how it stops. The
real `main` runs in a child process with `sleep`s for children (the web server, workers and
embedder are tested elsewhere); what is checked is the stack's own supervision."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import child_env
from tiktok.dev.stack import stack_environment

ROOT = Path(__file__).resolve().parents[2]

SUPERVISED = """
import os, sys
from tiktok.dev import stack
stack.stack_environment = lambda var_dir, port=8100: dict(os.environ)
stack._manage = lambda env, *args: None
stack.children = lambda *args: [
    stack.Child("one", ["sleep", "300"]), stack.Child("two", ["sleep", "301"])
]
stack.postgres.postgres_stop = stack.redis.redis_stop = lambda: None
stack.seaweedfs.seaweedfs_stop = lambda: None
sys.exit(stack.main(["--port", "8999"]))
"""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie (exited, not yet reaped by its new parent) has stopped running too.
    status = Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1][0]
    return status != "Z"


@pytest.mark.parametrize("signum", [signal.SIGHUP, signal.SIGTERM, signal.SIGINT])
def test_a_hang_up_or_a_stop_ends_every_child(signum: int, tmp_path: Path) -> None:
    # On SIGHUP (a closed terminal, a dropped SSH session) the stack exited without stopping
    # its children: they run in sessions of their own, never heard the hang-up and kept the
    # ports, so the next `make run` could not start.
    process = subprocess.Popen(
        [sys.executable, "-c", SUPERVISED],
        cwd=ROOT,
        env=child_env(VAR_DIR=str(tmp_path)),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert "stack up" in process.stdout.readline()
        children = []
        deadline = time.monotonic() + 20
        while len(children) < 2 and time.monotonic() < deadline:
            found = subprocess.run(
                ["pgrep", "-P", str(process.pid)], capture_output=True, text=True
            ).stdout.split()
            children = [int(pid) for pid in found]
        assert len(children) == 2

        process.send_signal(signum)
        output = process.communicate(timeout=30)[0]
    finally:
        if process.poll() is None:
            process.kill()
    assert "stopped" in output
    assert [pid for pid in children if _alive(pid)] == []


def test_the_embedder_port_chosen_is_the_one_the_apps_are_told(monkeypatch, tmp_path) -> None:  # noqa: ANN001
    for name in ("DATABASE_URL", "REDIS_URL", "S3_BUCKET"):
        monkeypatch.setenv(name, "given")
    monkeypatch.delenv("EMBEDDER_URL", raising=False)

    env = stack_environment(tmp_path, embedder_port=8200)

    assert env["EMBEDDER_URL"] == "http://127.0.0.1:8200"
