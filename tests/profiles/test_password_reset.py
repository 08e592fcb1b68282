"""Password reset by mail: the link arrives over real SMTP, works once, expires, says nothing
about which addresses have accounts, and lifts the sign-in lockout."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.test import override_settings
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from profiles.services.sign_in_guard import sign_in_failure_record, sign_in_locked_seconds
from profiles.tokens import password_reset_tokens, uid_encode
from tests.factories import UserFactory
from tiktok.api.throttling import RedisWindowThrottle

pytestmark = pytest.mark.django_db

OLD_PASSWORD = "correct-horse-battery"
NEW_PASSWORD = "purple-otter-lantern-42"


def _ask(client: APIClient, address: str, capture):  # noqa: ANN001, ANN202
    with capture(execute=True):
        return client.post("/api/auth/password-reset", {"email": address}, format="json")


def _reset_link(smtp, capture, address: str = "maya@example.com") -> str:  # noqa: ANN001
    assert _ask(APIClient(), address, capture).status_code == 202
    return smtp.wait_for(address).link("/reset/")


def _uid_token(link: str) -> tuple[str, str]:
    parts = urlsplit(link)
    _, _, uid = parts.path.split("/")
    return uid, parts.fragment


def _check(link: str):  # noqa: ANN202
    uid, token = _uid_token(link)
    return APIClient().post(
        "/api/auth/password-reset/check", {"uid": uid, "token": token}, format="json"
    )


def _confirm(link: str, password: str = NEW_PASSWORD):  # noqa: ANN202
    uid, token = _uid_token(link)
    return APIClient().post(
        "/api/auth/password-reset/confirm",
        {"uid": uid, "token": token, "new_password": password},
        format="json",
    )


def _login(password: str, username: str = "maya"):  # noqa: ANN202
    return APIClient().post(
        "/api/auth/login", {"username": username, "password": password}, format="json"
    )


@pytest.fixture
def maya(db):  # noqa: ANN001, ANN201
    return UserFactory(username="maya", email="maya@example.com", raw_password=OLD_PASSWORD)


def test_the_mailed_link_sets_a_new_password_to_sign_in_with(
    maya, smtp, client, django_capture_on_commit_callbacks
):  # noqa: ANN001
    link = _reset_link(smtp, django_capture_on_commit_callbacks)
    mail = smtp.wait_for("maya@example.com")
    assert mail.subject == "Reset your password"
    assert "@maya" in mail.body
    assert link.startswith("http://testserver/reset/")

    page = client.get(urlsplit(link).path)
    assert page.status_code == 200
    assert 'data-endpoint="/api/auth/password-reset/confirm"' in page.text
    assert _check(link).status_code == 204

    assert _confirm(link).status_code == 204
    assert _login(NEW_PASSWORD).status_code == 200
    assert _login(OLD_PASSWORD).status_code == 401


def test_a_used_link_is_refused(maya, smtp, client, django_capture_on_commit_callbacks):  # noqa: ANN001
    link = _reset_link(smtp, django_capture_on_commit_callbacks)
    assert _confirm(link).status_code == 204

    again = _confirm(link, password="another-fine-password-7")
    assert again.status_code == 400
    assert again.json()["error"] == "invalid_token"
    assert (_check(link).status_code, _check(link).json()["error"]) == (400, "invalid_token")
    assert _login(NEW_PASSWORD).status_code == 200


def test_an_expired_link_is_refused(
    maya, smtp, monkeypatch, settings, django_capture_on_commit_callbacks
):  # noqa: ANN001
    link = _reset_link(smtp, django_capture_on_commit_callbacks)
    later = password_reset_tokens._now() + timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT + 5)
    monkeypatch.setattr(password_reset_tokens, "_now", lambda: later)

    response = _confirm(link)

    assert response.status_code == 400
    assert response.json()["error"] == "invalid_token"
    assert _login(OLD_PASSWORD).status_code == 200


def test_a_tampered_link_is_refused(maya, smtp, django_capture_on_commit_callbacks):  # noqa: ANN001
    link = _reset_link(smtp, django_capture_on_commit_callbacks)
    other = UserFactory(username="noah", raw_password=OLD_PASSWORD)
    uid, token = _uid_token(link)

    response = APIClient().post(
        "/api/auth/password-reset/confirm",
        {"uid": uid_encode(other), "token": token, "new_password": NEW_PASSWORD},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_token"
    assert _login(OLD_PASSWORD, username="noah").status_code == 200


def test_an_unknown_address_gets_the_same_answer_and_no_mail(
    maya, smtp, django_capture_on_commit_callbacks
):  # noqa: ANN001
    known = _ask(APIClient(), "maya@example.com", django_capture_on_commit_callbacks)
    unknown = _ask(APIClient(), "nobody@example.com", django_capture_on_commit_callbacks)

    assert (known.status_code, known.json()) == (unknown.status_code, unknown.json())
    assert known.status_code == 202
    smtp.wait_for("maya@example.com")
    assert smtp.to("nobody@example.com") == []
    assert len(smtp.messages) == 1


def test_a_weak_new_password_is_refused_and_the_link_still_works(
    maya, smtp, django_capture_on_commit_callbacks
):  # noqa: ANN001
    link = _reset_link(smtp, django_capture_on_commit_callbacks)

    weak = _confirm(link, password="12345678")

    assert weak.status_code == 400
    assert "new_password" in weak.json()["fields"]
    assert _confirm(link).status_code == 204


def test_a_reset_lifts_the_sign_in_lockout_and_revokes_the_api_token(
    maya, smtp, django_capture_on_commit_callbacks
):  # noqa: ANN001
    token = Token.objects.create(user=maya)
    for _ in range(10):
        sign_in_failure_record(username="maya")
    assert sign_in_locked_seconds(username="maya") > 0
    assert _login(OLD_PASSWORD).status_code == 429

    assert _confirm(_reset_link(smtp, django_capture_on_commit_callbacks)).status_code == 204

    assert sign_in_locked_seconds(username="maya") == 0
    assert not Token.objects.filter(key=token.key).exists()
    assert _login(NEW_PASSWORD).status_code == 200


def test_a_reset_signs_out_every_session(maya, smtp, django_capture_on_commit_callbacks):  # noqa: ANN001
    signed_in = APIClient()
    assert (
        signed_in.post(
            "/api/auth/login", {"username": "maya", "password": OLD_PASSWORD}, format="json"
        ).status_code
        == 200
    )
    assert signed_in.get("/api/auth/me").status_code == 200

    assert _confirm(_reset_link(smtp, django_capture_on_commit_callbacks)).status_code == 204

    assert signed_in.get("/api/auth/me").status_code == 401


@override_settings(ACCOUNT_MAILS_PER_ADDRESS_PER_HOUR=2)
def test_an_address_gets_a_few_mails_an_hour_whoever_asks(
    maya, smtp, django_capture_on_commit_callbacks
):  # noqa: ANN001
    answers = [
        _ask(
            APIClient(REMOTE_ADDR=f"10.0.0.{n}"),
            "maya@example.com",
            django_capture_on_commit_callbacks,
        )
        for n in range(4)
    ]

    assert {a.status_code for a in answers} == {202}
    smtp.wait_for("maya@example.com", count=2)
    assert len(smtp.to("maya@example.com")) == 2


@override_settings(ACCOUNT_MAILS_PER_ADDRESS_PER_HOUR=2)
def test_spellings_of_the_address_share_its_allowance(smtp, django_capture_on_commit_callbacks):  # noqa: ANN001
    """PostgreSQL matches an address spelt with a dotless i (U+0131) to the stored one, which
    Python's casefold keeps apart: counted per typed spelling, each had an allowance of its
    own, so four spellings mailed one person four times."""
    UserFactory(username="irina", email="irina@example.com", raw_password="a-long-pass-phrase")
    dotless = "\N{LATIN SMALL LETTER DOTLESS I}"
    variants = [
        "irina@example.com",
        f"{dotless}rina@example.com",
        f"ir{dotless}na@example.com",
        f"{dotless}r{dotless}na@example.com",
    ]
    answers = [
        _ask(APIClient(REMOTE_ADDR=f"10.0.1.{n}"), address, django_capture_on_commit_callbacks)
        for n, address in enumerate(variants)
    ]

    assert {a.status_code for a in answers} == {202}
    smtp.wait_for("irina@example.com", count=2)
    assert len(smtp.to("irina@example.com")) == 2


def test_asking_is_rate_limited_per_address_of_the_asker(
    maya, smtp, monkeypatch, django_capture_on_commit_callbacks
):  # noqa: ANN001
    monkeypatch.setitem(RedisWindowThrottle.THROTTLE_RATES, "account_mail", "2/hour")
    client = APIClient()
    statuses = [
        _ask(client, f"someone{n}@example.com", django_capture_on_commit_callbacks).status_code
        for n in range(3)
    ]
    assert statuses == [202, 202, 429]
    # Another address of an asker is counted on its own.
    assert (
        _ask(
            APIClient(REMOTE_ADDR="10.9.9.9"), "x@example.com", django_capture_on_commit_callbacks
        ).status_code
        == 202
    )


def test_accounts_without_a_usable_password_or_suspended_get_no_mail(
    smtp, django_capture_on_commit_callbacks
):  # noqa: ANN001
    UserFactory(email="nopass@example.com")  # unusable password
    UserFactory(email="gone@example.com", raw_password=OLD_PASSWORD, is_active=False)

    for address in ("nopass@example.com", "gone@example.com"):
        assert _ask(APIClient(), address, django_capture_on_commit_callbacks).status_code == 202
    assert smtp.messages == []


def test_the_login_page_offers_the_reset_and_the_request_page_posts_to_the_api(client):  # noqa: ANN001
    assert 'href="/password-reset"' in client.get("/login").text
    page = client.get("/password-reset")
    assert page.status_code == 200
    assert 'data-endpoint="/api/auth/password-reset"' in page.text
    assert 'data-next="/password-reset/sent"' in page.text
    assert "Check your mail" in client.get("/password-reset/sent").text


def test_a_reset_mail_retried_through_a_mail_server_outage_still_arrives(maya, smtp, settings):  # noqa: ANN001
    # The task retries while the mail server is down; each try took one of the address's 3
    # account mails an hour, so the try that got through found none left and sent nothing.
    from profiles.services.account_mail import password_reset_mails_deliver
    from tests.support.smtp import _free_port

    settings.EMAIL_PORT = _free_port()  # nothing listens there: the server is down
    for _ in range(3):
        with pytest.raises(OSError):
            password_reset_mails_deliver(email="maya@example.com", base_url="http://testserver")
    settings.EMAIL_PORT = smtp.port  # back up
    assert password_reset_mails_deliver(email="maya@example.com", base_url="http://testserver") == 1
    assert smtp.wait_for("maya@example.com").link("/reset/")


def test_the_mailed_link_keeps_its_token_out_of_every_url_a_server_sees(
    maya, smtp, client, django_capture_on_commit_callbacks
):  # noqa: ANN001
    # The token was the link's last path segment: opening the link wrote it, valid for an hour,
    # to every access log on the way (the web server's, a proxy's).
    link = _reset_link(smtp, django_capture_on_commit_callbacks)
    uid, token = _uid_token(link)
    assert token and token not in urlsplit(link).path
    page = client.get(urlsplit(link).path)  # what a browser asks for: no fragment
    assert page.status_code == 200
    assert token not in page.text


def test_a_link_mailed_with_the_token_in_its_path_goes_to_the_page_with_it_in_the_fragment(
    maya, client
):  # noqa: ANN001
    token = password_reset_tokens.make_token(maya)
    uid = uid_encode(maya)
    response = client.get(f"/reset/{uid}/{token}")
    assert response.status_code == 302
    assert response["Location"] == f"/reset/{uid}#{token}"
    assert _check(f"http://testserver/reset/{uid}#{token}").status_code == 204


def test_the_link_check_refuses_a_tampered_token_without_saying_whose(maya) -> None:  # noqa: ANN001
    uid = uid_encode(maya)
    response = APIClient().post(
        "/api/auth/password-reset/check", {"uid": uid, "token": "x-y"}, format="json"
    )
    assert (response.status_code, response.json()["error"]) == (400, "invalid_token")
    unknown = APIClient().post(
        "/api/auth/password-reset/check", {"uid": "zzzz", "token": "x-y"}, format="json"
    )
    assert unknown.json() == response.json()
