"""What the product writes to its logs for hostile or careless input: no secrets (an embedder
URL's password, API tokens in the admin), no memory or lines without bound per request, no
forged lines."""

from __future__ import annotations

import logging
from unittest import mock

import pytest
import redis
from django.contrib.auth.models import Permission
from django.test import Client
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.conftest import child_env, django_script_json, free_port
from tests.factories import UserFactory

SECRET = "Zq9hunter2SecretPw"

# --- 1. Sign-in names with a space grow every web process's warnings registry, forever -------

REGISTRY_SCRIPT = r"""
import json, sys, warnings
import django
django.setup()
# As in the web server: Daphne points Python's warnings at Twisted's log, which it discards.
warnings.showwarning = lambda *args, **kwargs: None
import django.core.cache.backends.base as cache_base
from django.test import Client

client = Client(REMOTE_ADDR="203.0.113.9")
for i in range(int(sys.argv[1])):
    client.post(
        "/api/auth/login",
        data=json.dumps({"username": f"maria lopez{i}", "password": "wrong"}),
        content_type="application/json",
    )
registry = cache_base.__dict__.get("__warningregistry__", {})
print(json.dumps({"registry_entries": len(registry)}))
"""


@pytest.mark.django_db(transaction=True)  # the sign-ins run in another process
def test_failed_sign_ins_with_a_space_do_not_grow_the_process_memory() -> None:
    """Each failed sign-in whose name holds a space (or any character memcached refuses) makes
    Django's cache warn CacheKeyWarning about the lockout keys `sign-in:...:<name>`; Python's
    "default" warning action remembers every distinct message text in the module's
    __warningregistry__ for the life of the process: ~590 bytes per attempt, never freed.
    Anonymous, 20 a minute per address (per /64), any number of addresses."""
    env = child_env(ALLOWED_HOSTS="testserver", THROTTLE_AUTH="100000/min")
    attempts = 60
    result = django_script_json(REGISTRY_SCRIPT, str(attempts), env=env)
    assert result["registry_entries"] < 10, result  # 121 on the current code: 2 per attempt


# --- 2. A password in EMBEDDER_URL is printed (README: "a password in one is not printed") ----


@pytest.fixture
def embedder_with_password(settings):  # noqa: ANN001, ANN201
    settings.EMBEDDER_URL = f"http://svc:{SECRET}@127.0.0.1:{free_port()}"  # nothing listens
    return settings.EMBEDDER_URL


@pytest.mark.django_db
def test_an_embedder_password_stays_out_of_the_log_of_a_search(
    caplog, api_client, embedder_with_password
) -> None:  # noqa: ANN001
    caplog.set_level(logging.INFO)
    response = api_client.get("/api/search", {"q": "cats"})
    assert response.status_code == 200
    assert "cannot reach embedder" in caplog.text  # the outage is logged ...
    assert SECRET not in caplog.text  # ... with the password of EMBEDDER_URL in it


@pytest.mark.django_db
def test_an_embedder_password_stays_out_of_a_pipeline_step_error(embedder_with_password) -> None:
    """The pipeline stores str() of this error as the step's last_error (steps.py: StepOutage(
    str(exc))), which the status API and websocket send to the uploader, and as the video's
    failure_reason once it gives up (and in the uploader's data archive)."""
    from embedder_service.client import EmbedderUnreachable
    from tiktok.embedder import embedder_client

    with embedder_client(timeout_s=2) as client, pytest.raises(EmbedderUnreachable) as caught:
        client.embed_texts(["hello"])
    assert SECRET not in str(caught.value)


# --- 3. Hostile anonymous requests that each write an ERROR with a traceback ------------------


def _errors(caplog) -> list[logging.LogRecord]:  # noqa: ANN001
    return [r for r in caplog.records if r.levelno >= logging.ERROR]


@pytest.mark.django_db
def test_a_sign_in_page_with_a_long_query_redirects_without_an_error_traceback(caplog) -> None:  # noqa: ANN001
    """sign_in_first() quotes the full path into ?next=; '&' triples, so a 6 KB query string
    (well inside Daphne's request-line limit) makes a Location over Django's 16384-character
    limit: DisallowedRedirect, a 400 instead of the sign-in page, and an ERROR with a 25-line
    traceback (django.security.DisallowedRedirect) for every such anonymous request."""
    caplog.set_level(logging.INFO)
    response = Client().get("/upload?" + "&" * 6000)
    assert response.status_code == 302, response.status_code  # 400 on the current code
    assert not _errors(caplog), [r.getMessage()[:80] for r in _errors(caplog)]


@pytest.mark.django_db
def test_a_request_for_another_host_is_not_logged_as_an_error_with_a_traceback(caplog) -> None:  # noqa: ANN001
    """LOGGING gives the root logger a console handler and leaves django.security alone: every
    request with a Host not in ALLOWED_HOSTS (internet scanners hitting the address) prints an
    ERROR with a 14-line traceback, the Host repeated twice (an 8 KB Host: 33 KB of log), with
    no rate limit. Stock Django prints nothing for it with DEBUG off."""
    caplog.set_level(logging.INFO)
    response = Client().get("/", HTTP_HOST="scanner.example")
    assert response.status_code == 400
    assert not [r for r in _errors(caplog) if r.exc_info], "ERROR + traceback per bad Host"


@pytest.mark.django_db
def test_refused_requests_are_not_each_a_warning(caplog, api_client) -> None:  # noqa: ANN001
    """django.request logs every 4xx at WARNING (here to the console, through the root
    handler): each 401, 404 and each 429 the rate limit answers is a WARNING line, so
    throttling a client does not throttle what it writes, and WARNING holds no signal."""
    caplog.set_level(logging.INFO)
    for _ in range(25):
        api_client.get("/api/auth/me")  # 401 for anyone signed out
    warned = [
        r for r in caplog.records if r.name == "django.request" and r.levelno >= logging.WARNING
    ]
    assert len(warned) < 25, f"{len(warned)} WARNING lines for 25 refused requests"


# --- 4. Log injection through the percent-decoded path in the page outage warning ------------
# (<str:...> segments match a newline; the media route's <path:...> does not, so media_serving's
# own outage warning cannot be forged this way.)


@pytest.mark.django_db
def test_a_page_path_cannot_forge_log_lines_during_a_redis_outage(caplog) -> None:  # noqa: ANN001
    caplog.set_level(logging.INFO)
    with mock.patch(
        "tiktok.web.pages.viewer_context", side_effect=redis.ConnectionError("refused")
    ):
        response = Client().get("/tag/x%0A2026-12-07 23:59:59 CRITICAL forged line")
    assert response.status_code == 503
    messages = [r.getMessage() for r in caplog.records if r.name == "tiktok.web.unavailable"]
    assert messages
    assert not [m for m in messages if "\n" in m], messages


# --- 5. API tokens shown in the admin and kept in its LogEntry ---------------------------------


@pytest.mark.django_db
def test_a_view_only_staff_member_cannot_read_the_owner_api_token() -> None:
    """rest_framework.authtoken's admin (Auth Token > Tokens) is registered: its list shows
    every account's live API key. docs/operations.md hands out view_* permissions per model and
    docs/social.md promises staff cannot take over a superuser's account; a support agent
    given view_tokenproxy reads the owner's key and is the owner on the API (or anyone: their
    data archive, private videos, messages)."""
    owner = UserFactory(is_staff=True, is_superuser=True)
    key = Token.objects.create(user=owner).key
    agent = UserFactory(is_staff=True)
    agent.user_permissions.add(Permission.objects.get(codename="view_tokenproxy"))
    browser = Client()
    browser.force_login(agent)
    page = browser.get("/admin/authtoken/tokenproxy/")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    me = api.get("/api/auth/me")
    assert not (
        page.status_code == 200 and key in page.content.decode() and me.status_code == 200
    ), "a view-only permission shows the owner's live API key, which signs in as the owner"


@pytest.mark.django_db
def test_the_admin_has_no_pages_of_api_tokens_even_for_a_superuser() -> None:
    """Token.__str__ is the key: a token added in the admin kept the live key in the admin log
    (its "Recent actions"). Tokens are made and revoked by signing in and out."""
    browser = Client()
    browser.force_login(UserFactory(is_staff=True, is_superuser=True))
    assert browser.get("/admin/authtoken/tokenproxy/").status_code == 404
    assert browser.get("/admin/authtoken/tokenproxy/add/").status_code == 404
    assert "tokenproxy" not in browser.get("/admin/").content.decode()
