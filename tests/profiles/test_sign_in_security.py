"""Sign-in defences: a per-account lockout with backoff (API and admin alike), a rate-limited
admin login form, no login CSRF, and a logout that also ends the API token."""

from __future__ import annotations

import pytest
from django.test import override_settings
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from profiles.services.sign_in_guard import (
    lock_seconds_for,
    sign_in_failure_record,
    sign_in_locked_seconds,
)
from tests.factories import UserFactory
from tiktok.api.throttling import RedisWindowThrottle

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery"


def _login(client: APIClient, password: str, username: str = "maya", **headers: str):  # noqa: ANN202
    return client.post(
        "/api/auth/login", {"username": username, "password": password}, format="json", **headers
    )


@override_settings(SIGN_IN_LOCKOUT_FAILURES=3, SIGN_IN_LOCKOUT_BASE_SECONDS=60)
def test_an_account_is_locked_after_a_run_of_wrong_passwords_even_for_the_right_one() -> None:
    UserFactory(username="maya", raw_password=PASSWORD)
    client = APIClient()
    assert [_login(client, "wrong-guess").status_code for _ in range(3)] == [401, 401, 401]
    locked = _login(client, PASSWORD)
    assert locked.status_code == 429
    assert locked.json()["error"] == "account_locked"
    assert "try again in" in locked.json()["detail"]
    assert 55 <= int(locked["Retry-After"]) <= 60
    # Other accounts are not affected.
    UserFactory(username="noah", raw_password=PASSWORD)
    assert _login(client, PASSWORD, username="noah").status_code == 200


@override_settings(SIGN_IN_LOCKOUT_FAILURES=3)
def test_a_lock_is_keyed_by_the_name_whatever_its_case_or_existence() -> None:
    client = APIClient()
    for _ in range(3):
        assert _login(client, "wrong-guess", username="Ghost").status_code == 401
    # A name with no account locks alike (the answers do not tell which names exist).
    assert _login(client, "wrong-guess", username="gHOST").status_code == 429


@override_settings(SIGN_IN_LOCKOUT_FAILURES=3)
def test_spellings_that_sign_in_to_one_account_share_its_lock() -> None:
    """ "marıa" with a dotless i (U+0131) signs in as maria (PostgreSQL compares them equal)
    but Python's casefold keeps it apart: each spelling had a lock of its own, and a name with
    two i's gave four times the guesses."""
    UserFactory(username="maria", raw_password=PASSWORD)
    client = APIClient()
    dotless = "\N{LATIN SMALL LETTER DOTLESS I}"
    for name in ("maria", f"mar{dotless}a", "MARIA"):
        assert _login(client, "wrong-guess", username=name).status_code == 401
    assert _login(client, PASSWORD, username="maria").status_code == 429
    assert _login(client, PASSWORD, username=f"mar{dotless}a").status_code == 429


@override_settings(
    SIGN_IN_LOCKOUT_FAILURES=3, SIGN_IN_LOCKOUT_BASE_SECONDS=60, SIGN_IN_LOCKOUT_MAX_SECONDS=600
)
def test_the_lock_doubles_with_each_further_failure_up_to_the_maximum() -> None:
    assert [lock_seconds_for(n) for n in range(1, 9)] == [0, 0, 60, 120, 240, 480, 600, 600]
    now = 1_000_000.0
    for _ in range(3):
        sign_in_failure_record(username="maya", now=now)
    assert sign_in_locked_seconds(username="maya", now=now) == 60
    # Once the lock has passed, the next wrong password locks for twice as long.
    now += 61
    assert sign_in_locked_seconds(username="maya", now=now) == 0
    assert sign_in_failure_record(username="maya", now=now) == 120
    assert sign_in_locked_seconds(username="maya", now=now + 100) == 20


@override_settings(SIGN_IN_LOCKOUT_FAILURES=3)
def test_a_successful_sign_in_clears_the_count() -> None:
    UserFactory(username="maya", raw_password=PASSWORD)
    client = APIClient()
    for _ in range(2):
        _login(client, "wrong-guess")
    assert _login(client, PASSWORD).status_code == 200
    for _ in range(2):
        assert _login(client, "wrong-guess").status_code == 401
    assert _login(client, PASSWORD).status_code == 200


@override_settings(SIGN_IN_LOCKOUT_FAILURES=3)
def test_the_admin_login_form_honours_the_lock(client) -> None:  # noqa: ANN001
    UserFactory(username="boss", raw_password=PASSWORD, is_staff=True, is_superuser=True)
    for _ in range(3):
        client.post("/admin/login/", {"username": "boss", "password": "wrong-guess"})
    response = client.post("/admin/login/?next=/admin/", {"username": "boss", "password": PASSWORD})
    assert response.status_code == 200  # the form again, not the redirect into the admin
    assert client.get("/admin/").status_code == 302


def test_the_admin_login_form_is_rate_limited_per_address(client, monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.setitem(RedisWindowThrottle.THROTTLE_RATES, "auth", "3/min")
    answers = [
        client.post("/admin/login/", {"username": f"user{i}", "password": "x"}).status_code
        for i in range(4)
    ]
    assert answers == [200, 200, 200, 429]
    assert client.get("/admin/login/").status_code == 200  # showing the form is not counted


def test_sign_in_and_registration_refuse_cross_site_form_posts() -> None:
    UserFactory(username="maya", raw_password=PASSWORD)
    client = APIClient(enforce_csrf_checks=True)
    # What an HTML form on another site can send: a urlencoded (or multipart) body.
    login = client.post("/api/auth/login", {"username": "maya", "password": PASSWORD})
    assert login.status_code == 415
    register = client.post("/api/auth/register", {"username": "eve", "password": PASSWORD})
    assert register.status_code == 415
    assert client.get("/api/auth/me").status_code == 401


def test_a_browser_signing_in_must_carry_the_csrf_token() -> None:
    UserFactory(username="maya", raw_password=PASSWORD)
    browser = APIClient(enforce_csrf_checks=True, HTTP_ORIGIN="http://testserver")
    page = browser.get("/login")  # sets the CSRF cookie, as the sign-in page does
    token = page.cookies["csrftoken"].value
    refused = _login(browser, PASSWORD)
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["detail"]
    foreign = APIClient(enforce_csrf_checks=True)
    from_elsewhere = _login(foreign, PASSWORD, HTTP_ORIGIN="https://evil.example")
    assert from_elsewhere.status_code == 403
    signed_in = _login(browser, PASSWORD, HTTP_X_CSRFTOKEN=token)
    assert signed_in.status_code == 200, signed_in.content


def test_native_clients_sign_in_without_csrf_even_with_a_cookie_jar() -> None:
    UserFactory(username="maya", raw_password=PASSWORD)
    response = _login(APIClient(enforce_csrf_checks=True), PASSWORD)
    assert response.status_code == 200
    assert response.json()["token"]
    # An app that keeps cookies (the anonymous feed's, an earlier session's) signs in again.
    app = APIClient(enforce_csrf_checks=True)
    app.get("/api/feed")
    assert _login(app, PASSWORD).status_code == 200
    assert _login(app, PASSWORD).status_code == 200
    # A browser announcing a cross-site request is checked.
    cross = _login(app, PASSWORD, HTTP_SEC_FETCH_SITE="cross-site")
    assert cross.status_code == 403


def test_signing_out_of_the_web_page_ends_the_api_token_too(client) -> None:  # noqa: ANN001
    UserFactory(username="maya", raw_password=PASSWORD)
    token = client.post(
        "/api/auth/login",
        {"username": "maya", "password": PASSWORD},
        content_type="application/json",
    ).json()["token"]
    assert client.post("/logout").status_code == 302
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api.get("/api/auth/me").status_code == 401
    assert not Token.objects.exists()


@override_settings(
    SIGN_IN_LOCKOUT_FAILURES=3, SIGN_IN_LOCKOUT_BASE_SECONDS=1, SIGN_IN_LOCKOUT_MAX_SECONDS=10**9
)
def test_failures_at_the_same_moment_all_count() -> None:
    """Guesses sent in parallel are each counted (a read-then-write count lost some)."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(lambda _: sign_in_failure_record(username="maya"), range(24)))
    assert sign_in_failure_record(username="maya") == lock_seconds_for(25)
