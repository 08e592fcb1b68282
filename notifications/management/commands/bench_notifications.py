"""How fast a like reaches the creator's open page: `manage.py bench_notifications` (make
bench-notify).

Starts the real web server (Daphne) and a Celery worker on the feed queue against the
configured database and Redis, signs a creator in and opens their notifications websocket as a
browser would (session cookie, Origin), then has a fan like the creator's videos one at a time
over the API and times each like from the request until the notification arrives on the
socket. Prints a table and writes var/bench/notifications.json.
"""

from __future__ import annotations

import asyncio
import json
import os
import platform
import statistics
import tempfile
import time
from pathlib import Path

import httpx
import websockets
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from profiles.models import User
from tiktok.dev.handles import free_ports
from tiktok.dev.processes import celery_worker_start, daphne_argv, process_start, process_stop
from videos.models import Video

BENCH_PREFIX = "bench_notify_"
BENCH_PASSWORD = "bench-notify-password-1"
SERVER_START_TIMEOUT_SECONDS = 60
PUSH_TIMEOUT_SECONDS = 30


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


class Command(BaseCommand):
    help = "Time a like from the API until it arrives on the creator's notifications websocket."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--likes", type=int, default=50, help="likes to time (default 50)")

    def handle(self, *args: object, **options: object) -> None:
        likes = int(options["likes"])
        if likes < 1:
            raise CommandError("--likes must be at least 1")
        owner, fan, video_ids = self._seed(likes)
        port = free_ports(1)[0]
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tiktok.settings",
            "DATABASE_URL": settings.DATABASE_URL,
            "REDIS_URL": settings.REDIS_URL,
            "SECRET_KEY": settings.SECRET_KEY,
            "DEBUG": "1",
            "ALLOWED_HOSTS": "127.0.0.1",
            "CELERY_TASK_ALWAYS_EAGER": "0",
            "LOG_LEVEL": "WARNING",
        }
        with tempfile.TemporaryDirectory() as logs:
            server = process_start(
                daphne_argv("127.0.0.1", port),
                env=env,
                log_path=Path(logs) / "web.log",
                cwd=settings.BASE_DIR,
            )
            worker = None
            try:
                worker = celery_worker_start(
                    env=env,
                    log_path=Path(logs) / "worker.log",
                    cwd=settings.BASE_DIR,
                    queues="feed",
                )
                base = f"http://127.0.0.1:{port}"
                self._wait_ready(base, server, Path(logs) / "web.log")
                latencies = asyncio.run(self._measure(base, owner, fan, video_ids))
            finally:
                if worker is not None:
                    process_stop(worker)
                process_stop(server)
        User.objects.filter(username__startswith=BENCH_PREFIX).delete()
        self._report(latencies)

    def _seed(self, likes: int) -> tuple[User, User, list[int]]:
        User.objects.filter(username__startswith=BENCH_PREFIX).delete()
        owner = User.objects.create_user(
            username=f"{BENCH_PREFIX}creator", password=BENCH_PASSWORD, display_name="Creator"
        )
        fan = User.objects.create_user(
            username=f"{BENCH_PREFIX}fan", password=BENCH_PASSWORD, display_name="Fan"
        )
        videos = Video.objects.bulk_create(
            [
                Video(
                    owner=owner,
                    caption=f"bench video {i}",
                    status="ready",
                    privacy="public",
                    content_hash=f"{BENCH_PREFIX}{i}",
                )
                for i in range(likes)
            ]
        )
        return owner, fan, [video.pk for video in videos]

    def _wait_ready(self, base: str, server, log_path: Path) -> None:  # noqa: ANN001
        deadline = time.monotonic() + SERVER_START_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            if server.poll() is not None:
                break
            try:
                if httpx.get(f"{base}/login", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise CommandError(f"the web server did not start:\n{log_path.read_text()[-2000:]}")

    async def _measure(
        self, base: str, owner: User, fan: User, video_ids: list[int]
    ) -> list[float]:
        # One client each: signing the fan in with the creator's session cookie would end it.
        async with (
            httpx.AsyncClient(base_url=base, timeout=30) as creator_http,
            httpx.AsyncClient(base_url=base, timeout=30) as fan_http,
        ):
            signed_in = await creator_http.post(
                "/api/auth/login", json={"username": owner.username, "password": BENCH_PASSWORD}
            )
            signed_in.raise_for_status()
            session = signed_in.cookies.get("sessionid")
            fan_login = await fan_http.post(
                "/api/auth/login", json={"username": fan.username, "password": BENCH_PASSWORD}
            )
            fan_login.raise_for_status()
            fan_headers = {"Authorization": f"Token {fan_login.json()['token']}"}
            fan_http.cookies.clear()  # token only, as a native client
            socket_url = base.replace("http://", "ws://") + "/ws/notifications"
            latencies = []
            async with websockets.connect(
                socket_url, additional_headers={"Cookie": f"sessionid={session}", "Origin": base}
            ) as socket:
                json.loads(await socket.recv())  # the unread count on connect
                for video_id in video_ids:
                    started = time.perf_counter()
                    response = await fan_http.post(
                        f"/api/videos/{video_id}/like", headers=fan_headers
                    )
                    response.raise_for_status()
                    while True:
                        message = json.loads(
                            await asyncio.wait_for(socket.recv(), PUSH_TIMEOUT_SECONDS)
                        )
                        notification = message.get("notification") or {}
                        if (notification.get("video") or {}).get("id") == video_id:
                            break
                    latencies.append((time.perf_counter() - started) * 1000)
        return latencies

    def _report(self, latencies: list[float]) -> None:
        report = {
            "what": "like over the API until the notification arrives on the creator's socket",
            "likes": len(latencies),
            "p50_ms": round(statistics.median(latencies), 1),
            "p95_ms": round(_percentile(latencies, 0.95), 1),
            "max_ms": round(max(latencies), 1),
            "under_1s_share": round(sum(ms < 1000 for ms in latencies) / len(latencies), 3),
            "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        }
        out = settings.VAR_DIR / "bench" / "notifications.json"
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(report, indent=2))
        self.stdout.write("| likes | p50 ms | p95 ms | max ms | under 1 s |")
        self.stdout.write("|---|---|---|---|---|")
        self.stdout.write(
            f"| {report['likes']} | {report['p50_ms']} | {report['p95_ms']} | "
            f"{report['max_ms']} | {report['under_1s_share']:.0%} |"
        )
        self.stdout.write(f"written to {out}")
