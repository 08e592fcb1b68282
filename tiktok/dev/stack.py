"""`make run`: the whole stack in the foreground on embedded defaults.

Starts (or joins) the embedded PostgreSQL, Redis and SeaweedFS (S3) when DATABASE_URL /
REDIS_URL / S3_ENDPOINT_URL and S3_BUCKET are unset,
migrates, loads the default taxonomy once, then runs the embedder service, the ASGI web server,
a Celery worker (media), a Celery worker for the feed queue and Celery beat as child processes
with prefixed output. Ctrl-C (or SIGTERM)
stops the children, then releases the embedded servers, so the next run reuses the same data.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from tiktok.dev import postgres, redis, seaweedfs
from tiktok.dev.processes import celery_argv, daphne_argv

BASE_DIR = Path(__file__).resolve().parent.parent.parent
STOP_GRACE_SECONDS = 20.0


@dataclass
class Child:
    name: str
    argv: list[str]
    process: subprocess.Popen | None = None


def _stream(name: str, pipe) -> None:  # noqa: ANN001 - a text pipe
    for line in iter(pipe.readline, ""):
        sys.stdout.write(f"[{name:8}] {line}")
        sys.stdout.flush()


def stack_environment(var_dir: Path, embedder_port: int = 8100) -> dict[str, str]:
    """The environment every child gets: explicit service URLs (the embedder on the port the
    stack starts it on), offline models, dev defaults."""
    env = dict(os.environ)
    env.setdefault("DEBUG", "1")
    env.setdefault("HF_HUB_OFFLINE", "1")
    env.setdefault("TRANSFORMERS_OFFLINE", "1")
    env.setdefault("DJANGO_SETTINGS_MODULE", "tiktok.settings")
    env.setdefault("EMBEDDER_URL", f"http://127.0.0.1:{embedder_port}")
    env["PYTHONUNBUFFERED"] = "1"
    if not env.get("DATABASE_URL"):
        env["DATABASE_URL"] = postgres.postgres_url(var_dir / "pgdata")
    if not env.get("REDIS_URL"):
        env["REDIS_URL"] = redis.redis_url(var_dir / "redis")
    embedded_s3 = not env.get("S3_ENDPOINT_URL") and not env.get("S3_BUCKET")
    if env.get("STORAGE_BACKEND", "s3") == "s3" and embedded_s3:
        bucket = seaweedfs.EMBEDDED_BUCKET
        endpoint = seaweedfs.s3_endpoint(var_dir / "seaweedfs", bucket=bucket)
        env.update(seaweedfs.endpoint_as_env(endpoint), S3_BUCKET=bucket)
    return env


def children(host: str, port: int, embedder_port: int, var_dir: Path) -> list[Child]:
    python = sys.executable
    return [
        Child(
            "embedder",
            [python, "-m", "embedder_service", "--host", "127.0.0.1", "--port", str(embedder_port)],
        ),
        Child("web", daphne_argv(host, port)),
        Child(
            "worker",
            celery_argv(
                "worker", "-l", "info", "--concurrency", os.environ.get("CELERY_CONCURRENCY", "2")
            ),
        ),
        # The feed queue's small tasks (aggregates, trending) never wait behind media work;
        # prefork as in docker/compose.yaml: the solo pool enforces no task time limits, and a
        # second process keeps a slow mail or rollup from holding up live notifications.
        Child(
            "feed-worker",
            celery_argv(
                "worker", "-l", "info", "-Q", "feed", "--pool", "prefork", "--concurrency", "2"
            )
            + ["-n", "feed@%h"],
        ),
        Child(
            "beat", celery_argv("beat", "-l", "info", "-s", str(var_dir / "celerybeat-schedule"))
        ),
    ]


def _manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=BASE_DIR, env=env, check=True)


def _stop(procs: list[Child]) -> None:
    for child in procs:
        if child.process and child.process.poll() is None:
            child.process.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + STOP_GRACE_SECONDS
    for child in procs:
        if child.process is None:
            continue
        try:
            child.process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            # Its whole process group (each child leads one): a worker's pool processes too.
            with contextlib.suppress(ProcessLookupError):
                os.killpg(child.process.pid, signal.SIGKILL)
            child.process.wait()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default=os.environ.get("WEB_HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("WEB_PORT", "8000")))
    parser.add_argument("--embedder-port", type=int, default=8100)
    args = parser.parse_args(argv)

    var_dir = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))
    var_dir.mkdir(parents=True, exist_ok=True)
    stopping = threading.Event()

    def request_stop(signum: int, frame: object) -> None:
        stopping.set()

    # A closed terminal or a dropped SSH session (SIGHUP) stops everything too: the children run
    # in sessions of their own and never hear the hang-up, and were left holding the ports.
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT):
        signal.signal(signum, request_stop)

    procs: list[Child] = []
    try:
        env = stack_environment(var_dir, args.embedder_port)
        _manage(env, "migrate", "--noinput")
        _manage(env, "load_taxonomy", "--default", "--if-empty")
        procs = children(args.host, args.port, args.embedder_port, var_dir)
        for child in procs:
            child.process = subprocess.Popen(
                child.argv,
                cwd=BASE_DIR,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
                start_new_session=True,
            )
            threading.Thread(
                target=_stream, args=(child.name, child.process.stdout), daemon=True
            ).start()
        print(
            f"stack up: web http://{args.host}:{args.port}  "
            f"embedder http://127.0.0.1:{args.embedder_port}  (Ctrl-C stops everything)",
            flush=True,
        )
        while not stopping.is_set():
            dead = [c for c in procs if c.process and c.process.poll() is not None]
            if dead:
                print(
                    f"{dead[0].name} exited with {dead[0].process.returncode}; stopping", flush=True
                )
                return 1
            stopping.wait(0.5)
        return 0
    finally:
        print("stopping...", flush=True)
        _stop(procs)
        seaweedfs.seaweedfs_stop()
        redis.redis_stop()
        postgres.postgres_stop()
        print("stopped", flush=True)


if __name__ == "__main__":
    sys.exit(main())
