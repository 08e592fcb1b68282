"""Embedded PostgreSQL and Redis: started on demand, shared between processes, reused across
runs with their data, stopped by the last process, and never pinned by a killed one; the
PostgreSQL runs with the project's tuned settings from its first start."""

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
from tiktok.dev import embedded

# Small, so that the servers these tests start stay light.
TEST_SHARED_BUFFERS = "64MB"

HOLDER = """
import json, sys
from pathlib import Path
from tiktok.dev import embedded
var = Path(sys.argv[1])
pg = embedded.postgres_url(var / "pgdata")
rd = embedded.redis_url(var / "redis")
print(json.dumps({"pg": pg, "redis": rd}), flush=True)
sys.stdin.readline()
embedded.redis_stop()
embedded.postgres_stop()
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


def test_second_process_reuses_the_running_servers_and_last_one_stops_them(var_dir):
    first = Holder(var_dir)
    # Settings that need a restart are not forced on a server another process is using.
    second = Holder(var_dir, shared_buffers="32MB")
    assert second.urls == first.urls
    assert postgres_show(second.urls["pg"], "shared_buffers") == [TEST_SHARED_BUFFERS]
    assert postgres_running(first.urls["pg"])
    assert redis_running(first.urls["redis"])

    first.exit()
    assert postgres_running(second.urls["pg"]), "stopped while another process used it"
    assert redis_running(second.urls["redis"])

    assert "apply at its next start" in second.exit()
    assert not postgres_running(first.urls["pg"])
    assert not redis_running(first.urls["redis"])


def test_data_and_tuned_settings_survive_a_restart(var_dir):
    first = Holder(var_dir)
    # A fresh data directory: pgserver's initdb + start, then the tuned settings took effect.
    assert postgres_show(first.urls["pg"], "shared_buffers", "jit") == [TEST_SHARED_BUFFERS, "off"]
    with psycopg.connect(first.urls["pg"], autocommit=True) as conn:
        conn.execute("CREATE TABLE kept (value text)")
        conn.execute("INSERT INTO kept VALUES ('still here')")
    redis.Redis.from_url(first.urls["redis"]).set("kept", "still here")
    first.exit()

    again = Holder(var_dir)
    with psycopg.connect(again.urls["pg"]) as conn:
        assert conn.execute("SELECT value FROM kept").fetchone()[0] == "still here"
    assert postgres_show(again.urls["pg"], "shared_buffers", "jit") == [TEST_SHARED_BUFFERS, "off"]
    assert redis.Redis.from_url(again.urls["redis"]).get("kept") == b"still here"
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


def test_shared_buffers_is_capped_at_a_quarter_of_memory(monkeypatch):
    monkeypatch.setenv("EMBEDDED_PG_SHARED_BUFFERS", "4GB")
    settings = embedded.postgres_settings(memory_bytes=8 * 1024**3)
    assert settings == {
        "shared_buffers": "2048MB",
        "effective_cache_size": "4096MB",
        "maintenance_work_mem": "512MB",
        "jit": "off",
    }
    monkeypatch.setenv("EMBEDDED_PG_SHARED_BUFFERS", "lots")
    with pytest.raises(ValueError, match="lots"):
        embedded.postgres_settings()
