"""Browser-test fixtures: real clips through the real pipeline, a live daphne server on the test
database, a Celery worker when a test uploads, and headless Debian Chromium via Playwright.

Seed data is committed (outside any test transaction) once for the package and deleted when the
package finishes, so the live server - another process - sees it. Tests only write through the
server (the browser), so they can use ordinary `django_db` and read what the server committed.
"""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

from tests.conftest import start_celery_worker, start_web_server, stop_process

# Debian's chromium package, or Homebrew's Chromium on macOS; CHROMIUM_PATH overrides.
CHROMIUM_PATH = os.environ.get("CHROMIUM_PATH") or next(
    (
        path
        for path in (
            "/usr/bin/chromium",
            "/Applications/Chromium.app/Contents/MacOS/Chromium",
        )
        if os.path.exists(path)
    ),
    "/usr/bin/chromium",
)
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SERVER_START_TIMEOUT_SECONDS = 60
SEED_USERNAME_PREFIX = "web_"
SEED_PASSWORD = "correct-horse-battery"
MOBILE_VIEWPORT = {"width": 390, "height": 844}
DESKTOP_VIEWPORT = {"width": 1280, "height": 800}


@dataclass
class Seed:
    """What the package's tests can rely on: users (password SEED_PASSWORD) and ready videos."""

    users: dict[str, object] = field(default_factory=dict)
    videos: dict[str, object] = field(default_factory=dict)
    media_root: Path | None = None  # where the pipeline wrote them, before media_migrate
    storages: dict | None = None  # the store the live server reads (their own folder in it)

    def password(self) -> str:
        return SEED_PASSWORD


def _test_database_url() -> str:
    from django.conf import settings
    from django.db import connection

    parts = urlsplit(settings.DATABASE_URL)
    return urlunsplit(parts._replace(path="/" + connection.settings_dict["NAME"]))


def _delete_seed_rows() -> None:
    from feed.models import Interaction
    from profiles.models import User
    from sounds.models import Sound
    from videos.models import Hashtag, Video

    users = User.objects.filter(username__startswith=SEED_USERNAME_PREFIX)
    Sound.objects.filter(creator__in=users).delete()
    Interaction.objects.filter(video__owner__in=users).delete()
    Video.objects.filter(owner__in=users).delete()
    users.delete()
    # Hashtags the seed's captions (and the browser tests' posts) made: no video carries them
    # now, and the tests that run after tests/web on this worker expect none.
    Hashtag.objects.filter(video_hashtags__isnull=True, challenges__isnull=True).delete()


def _process_clip(*, owner, path: Path, caption: str, privacy: str = "public"):  # noqa: ANN001, ANN202
    from videos.models import VideoStatus
    from videos.pipeline.local import pipeline_run
    from videos.services.videos import video_create_from_path

    video, _ = video_create_from_path(owner=owner, path=path, caption=caption, privacy=privacy)
    video = pipeline_run(video_id=video.pk)
    assert video.status == VideoStatus.READY, (video.status, video.failure_reason)
    return video


@pytest.fixture(scope="package")
def web_seed(
    django_db_setup,
    django_db_blocker,
    embedder_url: str,
    tmp_path_factory,  # noqa: ANN001
) -> Iterator[Seed]:
    """Three creators and a viewer; six scene clips and one `<script>`-captioned clip, all
    processed by the real pipeline (transcode, transcribe, embed, tag, publish) into a local
    folder, then moved into the object store by `manage.py media_migrate --from-folder` - the
    way an existing installation moves - so every browser test plays migrated media."""
    import copy
    import uuid

    from django.conf import settings
    from django.core.management import call_command
    from django.test import override_settings

    from tagging.models import Tag, TagCategory
    from tests.support.storage import MediaStore

    media_root = tmp_path_factory.mktemp("web-media")
    clips = tmp_path_factory.mktemp("web-clips")
    store = copy.deepcopy(settings.STORAGES)
    if settings.STORAGE_BACKEND == "s3":
        store["default"]["OPTIONS"]["location"] = f"tests/web-{uuid.uuid4().hex}"
    else:
        store["default"]["OPTIONS"]["location"] = str(tmp_path_factory.mktemp("web-store"))
    local = copy.deepcopy(settings.STORAGES)
    local["default"] = {
        "BACKEND": "tiktok.storage.FileSystemMediaStorage",
        "OPTIONS": {"location": str(media_root), "base_url": "/media/", "allow_overwrite": True},
    }
    seed = Seed(media_root=media_root, storages=store)
    started = time.monotonic()
    with django_db_blocker.unblock():
        with override_settings(
            STORAGES=local,
            STORAGE_BACKEND="filesystem",
            MEDIA_ROOT=str(media_root),
            EMBEDDER_URL=embedder_url,
        ):
            had_tags = _seed_rows(seed, clips, call_command)
        with override_settings(STORAGES=store):
            call_command("media_migrate", "--from-folder", str(media_root), verbosity=0)
        print(f"web_seed: {len(seed.videos)} clips ready in {time.monotonic() - started:.1f}s")
        yield seed
        _delete_seed_rows()
        if not had_tags:
            Tag.objects.all().delete()
            TagCategory.objects.all().delete()
        MediaStore(store["default"]).clear()


def _seed_rows(seed: Seed, clips: Path, call_command) -> bool:  # noqa: ANN001
    """The seed's users and processed videos; returns whether tags existed before."""
    from profiles.models import User
    from tagging.models import Tag
    from tests.web.scenes import SCENES, Scene, make_scene_clip

    _delete_seed_rows()
    had_tags = Tag.objects.exists()
    if not had_tags:
        call_command("load_taxonomy", "--default", verbosity=0)
    for name, display in [
        ("alice", "Alice Rivera"),
        ("bob", "Bob Okafor"),
        ("mallory", "Mallory"),
        ("viewer", "Vic Viewer"),
    ]:
        seed.users[name] = User.objects.create_user(
            username=f"{SEED_USERNAME_PREFIX}{name}",
            password=SEED_PASSWORD,
            display_name=display,
        )
    owners = ["alice", "alice", "bob", "alice", "bob", "alice"]
    for scene, owner in zip(SCENES, owners, strict=True):
        path = make_scene_clip(scene, clips / f"{scene.name}.mp4")
        seed.videos[scene.name] = _process_clip(
            owner=seed.users[owner], path=path, caption=scene.caption
        )
    hostile = Scene(
        "hostile",
        (40, 40, 40),
        (10, 10, 10),
        (200, 60, 60),
        '<script>window.__pwned = 1</script><img src=x onerror="window.__pwned=2"> #safety',
        "a short clip about internet safety",
    )
    path = make_scene_clip(hostile, clips / "hostile.mp4")
    seed.videos["hostile"] = _process_clip(
        owner=seed.users["mallory"], path=path, caption=hostile.caption
    )
    return had_tags


def _store_env(storages: dict) -> dict[str, str]:
    """The environment that points a child process at the seed's media store."""
    from django.conf import settings

    options = storages["default"]["OPTIONS"]
    if settings.STORAGE_BACKEND != "s3":
        return {"STORAGE_BACKEND": "filesystem", "MEDIA_ROOT": options["location"]}
    return {
        "STORAGE_BACKEND": "s3",
        "S3_ENDPOINT_URL": options["endpoint_url"] or "",
        "S3_BUCKET": options["bucket_name"],
        "S3_ACCESS_KEY_ID": options["access_key"] or "",
        "S3_SECRET_ACCESS_KEY": options["secret_key"] or "",
        "S3_LOCATION": options["location"],
    }


def _child_env(seed: Seed, embedder_url: str) -> dict[str, str]:
    from django.conf import settings

    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tiktok.settings",
        "DATABASE_URL": _test_database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "SECRET_KEY": settings.SECRET_KEY,
        "DEBUG": "0",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        **_store_env(seed.storages),
        "EMBEDDER_URL": embedder_url,
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "PYTHONUNBUFFERED": "1",
        "LOG_LEVEL": "WARNING",
    }


@pytest.fixture(scope="package")
def live_url(web_seed: Seed, embedder_url: str, tmp_path_factory) -> Iterator[str]:  # noqa: ANN001
    """A daphne server (HTTP + websockets) on the test database and the seeded media."""
    process, url = start_web_server(
        env=_child_env(web_seed, embedder_url),
        log_path=tmp_path_factory.mktemp("daphne") / "daphne.log",
        ready_path="/login",
        timeout_s=SERVER_START_TIMEOUT_SECONDS,
    )
    yield url
    stop_process(process)


@pytest.fixture
def celery_worker(
    web_seed: Seed,
    embedder_url: str,
    tmp_path,  # noqa: ANN001
    django_db_blocker,  # noqa: ANN001
) -> Iterator[subprocess.Popen]:
    """A solo-pool Celery worker for the test (started after the per-test Redis flush). The
    videos uploaded meanwhile are deleted afterwards: the browser tests share one database,
    and a leftover upload (a song without speech, a new creator) changes what later tests'
    feeds show first."""
    from django.test import override_settings

    from videos.models import Video
    from videos.services.videos import video_delete

    with django_db_blocker.unblock():
        last_before = Video.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    log_path = tmp_path / "worker.log"
    process = start_celery_worker(env=_child_env(web_seed, embedder_url), log_path=log_path)
    process.log_path = log_path  # type: ignore[attr-defined]
    yield process
    stop_process(process)
    with django_db_blocker.unblock(), override_settings(STORAGES=web_seed.storages):
        for video in Video.objects.filter(pk__gt=last_before):
            video_delete(video=video)


@pytest.fixture(scope="package")
def browser() -> Iterator[object]:
    """Debian's Chromium, headless. Playwright's sync API keeps an asyncio loop on this thread,
    so Django's async-safety guard is lifted while it runs: the tests' ORM reads are ordinary
    synchronous calls."""
    from playwright.sync_api import sync_playwright

    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(
                executable_path=CHROMIUM_PATH, args=CHROMIUM_ARGS, headless=True
            )
            yield chromium
            chromium.close()
            # ORM calls made while Playwright's loop runs get their own (context-local) database
            # connections; close them here or the test database cannot be dropped at the end.
            from django.db import connections

            connections.close_all()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def mobile_page(live_url: str, browser) -> Iterator[object]:  # noqa: ANN001
    """A phone-sized, touch-capable page."""
    context = browser.new_context(
        base_url=live_url,
        viewport=MOBILE_VIEWPORT,
        has_touch=True,
        is_mobile=True,
        device_scale_factor=2,
    )
    yield from _pages_checked_for_csp_violations(context)


@pytest.fixture
def desktop_page(live_url: str, browser) -> Iterator[object]:  # noqa: ANN001
    context = browser.new_context(base_url=live_url, viewport=DESKTOP_VIEWPORT)
    yield from _pages_checked_for_csp_violations(context)


# Every page of every browser test reports what the Content-Security-Policy blocked; a test
# passes only if nothing was (the pages must keep to the policy they are served with).
CSP_VIOLATION_REPORTER = """
document.addEventListener("securitypolicyviolation", (event) => {
  console.error(`csp-violation ${event.violatedDirective} blocked ${event.blockedURI}`
    + ` at ${event.sourceFile}:${event.lineNumber}`);
});
"""


def _pages_checked_for_csp_violations(context) -> Iterator[object]:  # noqa: ANN001
    violations: list[str] = []

    def note(message) -> None:  # noqa: ANN001
        text = message.text
        if "csp-violation" in text or "Content Security Policy" in text:
            violations.append(f"{message.page.url if message.page else ''}: {text}")

    context.add_init_script(CSP_VIOLATION_REPORTER)
    context.on("console", note)
    page = context.new_page()
    yield page
    context.close()
    assert not violations, "Content-Security-Policy violations:\n" + "\n".join(violations)


def log_in(page, username: str, password: str = SEED_PASSWORD) -> None:  # noqa: ANN001
    """Sign the page's browser context in through the API (the session cookie is shared),
    with the CSRF token a browser must carry, as the sign-in page sends it."""
    page.request.get("/login")  # sets the CSRF cookie
    token = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
    response = page.request.post(
        "/api/auth/login",
        data={"username": username, "password": password},
        headers={"X-CSRFToken": token},
    )
    assert response.ok, response.text()
