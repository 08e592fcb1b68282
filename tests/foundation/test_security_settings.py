"""Production security settings: with HTTPS on, `check --deploy` reports nothing, plain HTTP is
redirected (except the health probe) and HSTS is sent; every response carries the
Content-Security-Policy; the API docs load nothing from another site."""

from __future__ import annotations

import re
import secrets
import subprocess
import sys

import pytest

from tests.conftest import BASE_DIR, child_env, django_script_json

PRODUCTION = {
    "DEBUG": "0",
    "HTTPS": "1",
    "SECRET_KEY": secrets.token_urlsafe(60),
    "ALLOWED_HOSTS": "video.example.org",
}


def _deploy_check(**env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR,
        env=child_env(**env),
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.mark.django_db
def test_check_deploy_reports_nothing_with_production_settings() -> None:
    result = _deploy_check(**PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
    # Without HTTPS the same check names what is missing.
    plain = _deploy_check(**{**PRODUCTION, "HTTPS": "0"})
    assert plain.returncode != 0
    assert "security.W004" in plain.stderr and "security.W008" in plain.stderr


HTTPS_SCRIPT = """
import django, json
django.setup()
from django.test import Client
client = Client(HTTP_HOST="video.example.org")
plain = client.get("/login")
health = client.get("/api/health")
secure = client.get("/login", secure=True)
print(json.dumps({
    "plain": [plain.status_code, plain.get("Location")],
    "health": health.status_code,
    "hsts": secure.get("Strict-Transport-Security"),
    "secure_status": secure.status_code,
    "cookie_secure": bool(secure.cookies["csrftoken"]["secure"]),
}))
"""


@pytest.mark.django_db
def test_https_redirects_plain_requests_and_sends_hsts() -> None:
    answer = django_script_json(
        HTTPS_SCRIPT, env=child_env(DJANGO_SETTINGS_MODULE="tiktok.settings", **PRODUCTION)
    )
    assert answer["plain"] == [301, "https://video.example.org/login"]
    assert answer["health"] == 200  # load balancers probe over plain HTTP
    assert answer["secure_status"] == 200
    assert answer["hsts"] == "max-age=31536000; includeSubDomains; preload"
    assert answer["cookie_secure"] is True


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/login", "/api/health", "/no-such-page"])
def test_every_response_carries_the_policy(client, path: str) -> None:  # noqa: ANN001
    policy = client.get(path)["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["script-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    if not path.startswith("/api/"):
        assert directives["style-src"] == "'self'"


@pytest.mark.django_db
def test_the_api_docs_load_swagger_ui_from_this_site(client) -> None:  # noqa: ANN001
    page = client.get("/api/docs").content.decode()
    assert "swagger-ui-bundle.js" in page
    urls = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert urls and all(url.startswith("/") for url in urls), urls
    script = client.get("/api/docs?script")
    assert script.status_code == 200 and b"SwaggerUIBundle" in script.content


def test_templates_have_no_inline_script_style_or_handlers() -> None:
    """What the policy would block, caught before a browser runs (the browser tests check the
    pages as rendered)."""
    offenders = []
    for template in (BASE_DIR / "templates").rglob("*.html"):
        text = template.read_text()
        for pattern in (
            r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>",
            r"\sstyle=",
            r"\son[a-z]+=",
            r"javascript:",
            r"<style",
        ):
            offenders += [f"{template.name}: {m.group(0)}" for m in re.finditer(pattern, text)]
    assert offenders == []


ORIGINS_SCRIPT = """
import django, json
django.setup()
from django.conf import settings
print(json.dumps(settings.CSP_MEDIA_ORIGINS))
"""


@pytest.mark.parametrize(
    ("env", "origins"),
    [
        ({"MEDIA_DELIVERY": "proxy"}, []),
        ({"MEDIA_URL": "https://cdn.example.org/media/"}, ["https://cdn.example.org"]),
        (
            {"MEDIA_DELIVERY": "redirect", "S3_ENDPOINT_URL": "https://store.example.org:9000"},
            ["https://store.example.org:9000"],
        ),
        (  # AWS S3: a bucket and no endpoint
            {"MEDIA_DELIVERY": "redirect", "S3_BUCKET": "clips", "S3_REGION": "eu-west-1"},
            ["https://s3.eu-west-1.amazonaws.com", "https://s3.amazonaws.com"],
        ),
        (
            {
                "MEDIA_DELIVERY": "redirect",
                "S3_BUCKET": "clips",
                "S3_REGION": "eu-west-1",
                "S3_ADDRESSING_STYLE": "virtual",
            },
            ["https://clips.s3.eu-west-1.amazonaws.com", "https://clips.s3.amazonaws.com"],
        ),
    ],
)
def test_pages_may_load_media_from_where_it_is_delivered(env: dict, origins: list) -> None:
    """Presigned redirects and a CDN put media on other origins: the policy names them."""
    process_env = {
        name: value
        for name, value in child_env(DJANGO_SETTINGS_MODULE="tiktok.settings", DEBUG="1").items()
        if not name.startswith("S3_") and name != "MEDIA_URL"
    }
    if "S3_ENDPOINT_URL" in env:
        env = {**env, "S3_BUCKET": "clips", "S3_ACCESS_KEY_ID": "k", "S3_SECRET_ACCESS_KEY": "s"}
    assert django_script_json(ORIGINS_SCRIPT, env={**process_env, **env}) == origins
