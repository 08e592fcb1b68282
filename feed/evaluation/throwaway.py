"""A throwaway PostgreSQL database and a private Redis server for evaluations and benchmarks.

The default connection is pointed at a fresh database `<prefix>_<random>` on the same server
(migrated from scratch), Redis-backed state (cache, session taste, trending) goes to a private
redis-server in a temporary folder, and both are dropped on exit - also on errors and Ctrl-C.
The main data is never touched.
"""

from __future__ import annotations

import contextlib
import logging
import secrets
import shutil
import signal
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import psycopg
from django.conf import settings
from django.core.management import call_command
from django.db import connections
from django.test import override_settings
from psycopg import sql

from tiktok.celery import app as celery_app
from tiktok.dev.redis import EmbeddedRedis
from tiktok.settings.celery import celery_redis_url

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ThrowawayEnvironment:
    database_name: str
    database_url: str  # for subprocesses (DATABASE_URL)
    redis_url: str  # for subprocesses (REDIS_URL)


def _server_params(settings_dict: dict, database: str) -> dict:
    options = dict(settings_dict.get("OPTIONS") or {})
    options.pop("options", None)
    params = {
        "dbname": database,
        "user": settings_dict.get("USER") or None,
        "password": settings_dict.get("PASSWORD") or None,
        "host": settings_dict.get("HOST") or options.pop("host", None),
        "port": settings_dict.get("PORT") or None,
    }
    return {key: value for key, value in params.items() if value}


def _database_url(settings_dict: dict, database: str) -> str:
    params = _server_params(settings_dict, database)
    credentials = quote(params.get("user", ""))
    if params.get("password"):
        credentials += ":" + quote(params["password"])
    host = params.get("host", "")
    if host.startswith("/"):
        return f"postgresql://{credentials}@/{database}?host={host}"
    port = f":{params['port']}" if params.get("port") else ""
    return f"postgresql://{credentials}@{host}{port}/{database}"


def _maintenance_connect(settings_dict: dict) -> psycopg.Connection:
    return psycopg.connect(**_server_params(settings_dict, "postgres"), autocommit=True)


def _drop_database(settings_dict: dict, name: str) -> None:
    with _maintenance_connect(settings_dict) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


@contextlib.contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    """SIGTERM raises KeyboardInterrupt so the cleanup below still runs (main thread only)."""

    def _raise(signum, frame):  # noqa: ANN001, ARG001
        raise KeyboardInterrupt(f"signal {signum}")

    try:
        previous = signal.signal(signal.SIGTERM, _raise)
    except ValueError:  # not the main thread
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@contextlib.contextmanager
def throwaway_environment(
    *, prefix: str = "eval", migrate: bool = True
) -> Iterator[ThrowawayEnvironment]:
    """Run the body against a fresh, migrated database and a private Redis; drop both after."""
    connection = connections["default"]
    original = dict(connection.settings_dict)
    name = f"{prefix}_{secrets.token_hex(5)}"
    redis_dir = Path(tempfile.mkdtemp(prefix=f"{prefix}-redis-"))
    redis_server = EmbeddedRedis(redis_dir)
    with _sigterm_as_interrupt():
        with _maintenance_connect(original) as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        try:
            redis_url = redis_server.acquire()
            caches = {alias: {**config} for alias, config in settings.CACHES.items()}
            for config in caches.values():
                if "redis" in config.get("BACKEND", "").lower():
                    config["LOCATION"] = redis_url
            eager_before = celery_app.conf.task_always_eager
            broker_before = celery_app.conf.broker_url
            celery_app.conf.task_always_eager = True
            celery_app.conf.broker_url = celery_redis_url(redis_url)
            connection.close()
            connection.close_pool()  # a pool keeps connections to the database it was made for
            connection.settings_dict["NAME"] = name
            try:
                with override_settings(REDIS_URL=redis_url, CACHES=caches):
                    if migrate:
                        call_command("migrate", verbosity=0, interactive=False)
                    yield ThrowawayEnvironment(
                        database_name=name,
                        database_url=_database_url(original, name),
                        redis_url=redis_url,
                    )
            finally:
                connection.close()
                connection.close_pool()
                connection.settings_dict["NAME"] = original["NAME"]
                celery_app.conf.task_always_eager = eager_before
                celery_app.conf.broker_url = broker_before
        finally:
            with contextlib.suppress(Exception):
                redis_server.release()
            shutil.rmtree(redis_dir, ignore_errors=True)
            try:
                _drop_database(original, name)
            except Exception as exc:  # noqa: BLE001 - report, never mask the body's error
                logger.error("could not drop throwaway database %s: %s", name, exc)
