"""Sharing one embedded server between the project's processes: a file lock around start and
stop, and a handle file of the pids using it (dead ones pruned, so a SIGKILLed process never
keeps a server alive). Imports neither Django nor Celery."""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import socket
from collections.abc import Iterator
from pathlib import Path


def pid_alive(pid: int) -> bool:
    """Whether a process exists and has not exited (a zombie waiting to be reaped counts as
    exited)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    with contextlib.suppress(OSError, IndexError):
        # /proc/<pid>/stat: "pid (name) state ..."; the name may hold spaces or parentheses.
        stat = Path(f"/proc/{pid}/stat").read_text()
        return stat.rsplit(")", 1)[1].split()[0] != "Z"
    return True


@contextlib.contextmanager
def file_lock(path: Path) -> Iterator[None]:
    """An exclusive lock on `path` (created if missing) held for the block."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def prune_dead_handles(handle_file: Path) -> list[int]:
    """Drop pids of processes that no longer exist from a handle list; return the live ones."""
    if not handle_file.exists():
        return []
    try:
        pids = json.loads(handle_file.read_text() or "[]")
    except json.JSONDecodeError:
        pids = []
    live = [pid for pid in pids if isinstance(pid, int) and pid_alive(pid)]
    if live != pids:
        handle_file.write_text(json.dumps(live))
    return live


def handles_add(handle_file: Path, pid: int) -> list[int]:
    """Register a pid as a user of the server (call under the server's lock)."""
    live = prune_dead_handles(handle_file)
    if pid not in live:
        live.append(pid)
    handle_file.write_text(json.dumps(live))
    return live


def handles_remove(handle_file: Path, pid: int) -> list[int]:
    """Unregister a pid; returns the pids still using the server (call under the lock)."""
    live = [other for other in prune_dead_handles(handle_file) if other != pid]
    handle_file.write_text(json.dumps(live))
    return live


def free_ports(count: int, host: str = "127.0.0.1") -> list[int]:
    """`count` distinct TCP ports that are free on `host` right now."""
    sockets = []
    try:
        for _ in range(count):
            sock = socket.socket()
            sock.bind((host, 0))
            sockets.append(sock)
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()
