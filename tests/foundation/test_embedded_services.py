"""Embedded PostgreSQL and Redis: started on demand, shared between processes, reused across
runs with their data, stopped by the last process, and never pinned by a killed one."""

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

HOLDER = """
import json, sys
from pathlib import Path
from tiktok import embedded
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

    def __init__(self, var_dir: Path):
        self.process = subprocess.Popen(
            [sys.executable, "-c", HOLDER, str(var_dir)],
            cwd=BASE_DIR,
            env=dict(os.environ),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        line = self.process.stdout.readline()
        assert line, self.process.stderr.read()[-2000:]
        self.urls = json.loads(line)

    def exit(self) -> None:
        self.process.stdin.write("\n")
        self.process.stdin.flush()
        assert self.process.wait(timeout=60) == 0

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)


def postgres_running(url: str) -> bool:
    try:
        with psycopg.connect(url, connect_timeout=2):
            return True
    except psycopg.OperationalError:
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


def test_second_process_reuses_the_running_servers_and_last_one_stops_them(var_dir):
    first = Holder(var_dir)
    second = Holder(var_dir)
    assert second.urls == first.urls
    assert postgres_running(first.urls["pg"])
    assert redis_running(first.urls["redis"])

    first.exit()
    assert postgres_running(second.urls["pg"]), "stopped while another process used it"
    assert redis_running(second.urls["redis"])

    second.exit()
    assert not postgres_running(first.urls["pg"])
    assert not redis_running(first.urls["redis"])


def test_data_survives_a_restart(var_dir):
    first = Holder(var_dir)
    with psycopg.connect(first.urls["pg"], autocommit=True) as conn:
        conn.execute("CREATE TABLE kept (value text)")
        conn.execute("INSERT INTO kept VALUES ('still here')")
    redis.Redis.from_url(first.urls["redis"]).set("kept", "still here")
    first.exit()

    again = Holder(var_dir)
    with psycopg.connect(again.urls["pg"]) as conn:
        assert conn.execute("SELECT value FROM kept").fetchone()[0] == "still here"
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
