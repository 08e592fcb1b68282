"""Suite-wide fixtures: the real embedded PostgreSQL and Redis, a real embedder service.

Tests run against the same servers `make run` uses (a separate test database and Redis db
index), never SQLite or fakes. Set TEST_DATABASE_NAME / TEST_REDIS_DB to run two suites side
by side on one embedded server.
"""

from __future__ import annotations

import copy
import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from rest_framework.test import APIClient

from tiktok.dev.processes import celery_worker_start, process_stop

BASE_DIR = Path(__file__).resolve().parent.parent
EMBEDDER_START_TIMEOUT_SECONDS = 240


# Packages whose tests share package-scoped fixtures that commit rows or hold process-wide
# state (tests/web: a seeded database, a live server and a browser whose asyncio loop runs on
# the test thread). Under pytest-xdist each is one unit of work, never interleaved with other
# packages' tests on a worker.
XDIST_SHARED_PACKAGES = ("web",)
TESTS_DIR = Path(__file__).resolve().parent


def xdist_group_name(path: Path) -> str:
    """The pytest-xdist group of a test file: its path below tests/, or the package's name for
    the packages in XDIST_SHARED_PACKAGES."""
    resolved = path.resolve()
    if not resolved.is_relative_to(TESTS_DIR):  # a test file given from elsewhere: its own
        return resolved.as_posix()
    relative = resolved.relative_to(TESTS_DIR)
    if relative.parts[0] in XDIST_SHARED_PACKAGES:
        return relative.parts[0]
    return relative.as_posix()


@pytest.hookimpl(optionalhook=True)  # a run without xdist (-p no:xdist) does not know it
def pytest_xdist_make_scheduler(config: pytest.Config, log: object) -> object | None:
    """`--dist loadgroup` (what `make test` uses) by this suite's groups: a file's tests stay
    together on one worker, and a shared package's tests all run on one worker in a row.
    (`--dist loadfile` alone is not enough: it would spread the browser tests' files over the
    workers, each building the package's seed.)

    The groups are told to the scheduler here rather than by `xdist_group` marks: pytest-xdist
    3.8 names a marked test's group by rewriting `item._nodeid`, which pytest 9 no longer reads
    (a node's id is `_id`), so the marks grouped nothing and every test was its own unit. The
    biggest groups go out first (the browser tests' package), so one worker starts them at
    once while the other works through the rest."""
    if config.getvalue("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class SuiteGroups(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return xdist_group_name(BASE_DIR / nodeid.split("::", 1)[0])

    return SuiteGroups(config, log)


@pytest.fixture(scope="session")
def django_db_setup(
    request: pytest.FixtureRequest,
    django_test_environment: None,
    django_db_blocker,  # noqa: ANN001
    django_db_keepdb: bool,
    django_db_createdb: bool,
    django_db_modify_db_settings: None,
) -> Iterator[None]:
    """The test database, always. pytest-django creates it only for the aliases that collected
    `django_db` tests ask for, so a run of only the browser tests (whose package fixtures commit
    through `django_db_blocker`) would otherwise read and delete rows of the development
    database."""
    from django.test.utils import setup_databases, teardown_databases

    keepdb = django_db_keepdb and not django_db_createdb
    with django_db_blocker.unblock():
        databases = setup_databases(
            verbosity=request.config.option.verbose,
            interactive=False,
            keepdb=keepdb,
            aliases={"default"},
            serialized_aliases=set(),
        )
    yield
    if not django_db_keepdb:
        with django_db_blocker.unblock():
            try:
                teardown_databases(databases, verbosity=request.config.option.verbose)
            except Exception as exc:  # noqa: BLE001 - as pytest-django: a warning, not an error
                # (a pooled connection of another thread may still hold the database)
                request.node.warn(pytest.PytestWarning(f"test database not dropped: {exc!r}"))


@pytest.fixture(autouse=True)
def _clean_redis() -> Iterator[None]:
    """Each test starts with an empty Redis db (only the suite's own db index)."""
    import redis
    from django.conf import settings

    client = redis.Redis.from_url(settings.REDIS_URL)
    client.flushdb()
    yield
    client.close()


@pytest.fixture(autouse=True)
def media_store(tmp_path_factory: pytest.TempPathFactory, settings):  # noqa: ANN001, ANN201
    """Each test's media lives in a folder of its own in the real store: a key prefix in the
    embedded SeaweedFS bucket (or a temporary folder with STORAGE_BACKEND=filesystem)."""
    storages = copy.deepcopy(settings.STORAGES)
    options = storages["default"].setdefault("OPTIONS", {})
    if settings.STORAGE_BACKEND == "s3":
        options["location"] = f"tests/{uuid.uuid4().hex}"
    else:
        settings.MEDIA_ROOT = options["location"] = str(tmp_path_factory.mktemp("media"))
    settings.STORAGES = storages
    from tests.support.storage import MediaStore

    store = MediaStore(storages["default"])
    yield store
    store.clear()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_http_ok(url: str, timeout_s: float, process: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout_s
    last = "no answer"
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"process for {url} exited with {process.returncode}")
        try:
            response = httpx.get(url, timeout=2)
            if response.status_code == 200:
                return
            last = f"{response.status_code} {response.text[:200]}"
        except httpx.HTTPError as exc:
            last = str(exc)
        time.sleep(0.25)
    raise RuntimeError(f"{url} not healthy after {timeout_s}s: {last}")


def stop_process(process: subprocess.Popen) -> None:
    """Terminate a child server, killing it if it does not stop in time."""
    process_stop(process)


def child_env(**extra: str) -> dict[str, str]:
    """The environment of a child process (web server, worker) that works on this test run's
    database, Redis and media store: the test database, and the current test's media folder."""
    from urllib.parse import urlsplit, urlunsplit

    from django.conf import settings
    from django.db import connection

    parts = urlsplit(settings.DATABASE_URL)
    env = {
        **os.environ,
        "DATABASE_URL": urlunsplit(parts._replace(path="/" + connection.settings_dict["NAME"])),
        "REDIS_URL": settings.REDIS_URL,
        "STORAGE_BACKEND": settings.STORAGE_BACKEND,
        "EMBEDDER_URL": settings.EMBEDDER_URL,
    }
    options = settings.STORAGES["default"].get("OPTIONS", {})
    if settings.STORAGE_BACKEND == "s3":
        env.update(
            S3_ENDPOINT_URL=options["endpoint_url"] or "",
            S3_BUCKET=options["bucket_name"],
            S3_ACCESS_KEY_ID=options["access_key"] or "",
            S3_SECRET_ACCESS_KEY=options["secret_key"] or "",
            S3_LOCATION=options.get("location", ""),
        )
    else:
        env["MEDIA_ROOT"] = options["location"]
    env.update(extra)
    return env


def django_script_json(script: str, *args: str, env: dict[str, str], timeout_s: float = 180):  # noqa: ANN201
    """Run a Python snippet (it calls django.setup() and prints JSON last) in a process of its
    own with this environment; returns the printed JSON."""
    import json

    result = subprocess.run(
        [sys.executable, "-c", script, *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout_s,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def start_web_server(
    *, env: dict[str, str], log_path: Path, ready_path: str = "/api/health", timeout_s: float = 60
) -> tuple[subprocess.Popen, str]:
    """The project's web server (`tiktok.web.server`) on a free port; returns it and its base
    URL once `ready_path` answers 200, raising with its log if it does not."""
    from tiktok.dev.processes import daphne_argv, process_start

    port = free_port()
    process = process_start(
        daphne_argv("127.0.0.1", port), env=env, log_path=log_path, cwd=BASE_DIR
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_http_ok(f"{url}{ready_path}", timeout_s, process)
    except RuntimeError as exc:
        stop_process(process)
        raise RuntimeError(f"{exc}\n{log_path.read_text()[-3000:]}") from exc
    return process, url


def start_celery_worker(
    *, env: dict[str, str], log_path: Path, pool: str = "solo", queues: str = "celery,feed"
) -> subprocess.Popen:
    """A real Celery worker (media and feed queues unless told); returns once it is ready."""
    return celery_worker_start(env=env, log_path=log_path, cwd=BASE_DIR, pool=pool, queues=queues)


@pytest.fixture(scope="session")
def embedder_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real embedder service (CPU backend, real models) for the whole session."""
    port = free_port()
    process = start_embedder(port, tmp_path_factory.mktemp("embedder") / "embedder.log")
    yield f"http://127.0.0.1:{port}"
    stop_process(process)


def start_embedder(port: int, log_path: Path) -> subprocess.Popen:
    """A real embedder service (CPU backend, real models) on this port; returns once it is
    healthy."""
    env = {**os.environ, "EMBEDDER_BACKEND": "cpu", "HF_HUB_OFFLINE": "1"}
    with open(log_path, "w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "embedder_service", "--host", "127.0.0.1", "--port", str(port)],
            cwd=BASE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_http_ok(f"http://127.0.0.1:{port}/healthz", EMBEDDER_START_TIMEOUT_SECONDS, process)
    except RuntimeError as exc:
        process.kill()
        raise RuntimeError(f"{exc}\n{log_path.read_text()[-3000:]}") from exc
    return process


@pytest.fixture
def embedder(embedder_url: str, settings) -> str:  # noqa: ANN001
    """Point the Django side at the session's embedder service."""
    settings.EMBEDDER_URL = embedder_url
    return embedder_url


@pytest.fixture
def celery_eager(settings):  # noqa: ANN001
    """Celery runs tasks in this process (the app's config is read once per process, so the
    Django setting alone does not reach it after the first task)."""
    from tiktok.celery import app

    settings.CELERY_TASK_ALWAYS_EAGER = True
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False


@pytest.fixture
def api_client():
    from rest_framework.test import APIClient

    return APIClient()


@pytest.fixture
def user(db):  # noqa: ANN001
    from tests.factories import UserFactory

    return UserFactory()


@pytest.fixture
def auth_client(api_client, user):  # noqa: ANN001
    api_client.force_authenticate(user=user)
    return api_client


@pytest.fixture
def client_for() -> Callable:
    """An API client authenticated as the given user (None: anonymous)."""

    def make(user=None) -> APIClient:  # noqa: ANN001
        client = APIClient()
        if user is not None:
            client.force_authenticate(user=user)
        return client

    return make


@pytest.fixture
def creator(db):  # noqa: ANN001
    from tests.factories import UserFactory

    return UserFactory()


@pytest.fixture
def video(creator):  # noqa: ANN001
    from tests.factories import VideoFactory

    return VideoFactory(owner=creator)
