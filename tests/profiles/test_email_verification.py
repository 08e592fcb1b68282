"""Optional address verification: a link mailed at registration or on a change of address
verifies it; a changed address invalidates links mailed to the old one; `off` mails nothing."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from rest_framework.test import APIClient

from profiles.models import User
from profiles.services.mail import mailbox_key
from profiles.tokens import email_verification_tokens, uid_encode
from tests.factories import UserFactory
from tiktok.api.throttling import RedisWindowThrottle

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"


def _register(capture, **fields: str):  # noqa: ANN001, ANN202
    client = APIClient()
    with capture(execute=True):
        response = client.post(
            "/api/auth/register",
            {"username": "maya", "password": PASSWORD, **fields},
            format="json",
        )
    assert response.status_code == 201, response.json()
    return client


def _every_mail_delivered(smtp, capture) -> None:  # noqa: ANN001
    """A last mail to another address: once it is here, every mail before it is too."""
    with capture(execute=True):
        APIClient().post(
            "/api/auth/register",
            {"username": "sentinel", "password": PASSWORD, "email": "sentinel@example.com"},
            format="json",
        )
    smtp.wait_for("sentinel@example.com")


def _change_email(client: APIClient, capture, email: str, password: str = PASSWORD):  # noqa: ANN001, ANN202
    with capture(execute=True):
        return client.post("/api/me/email", {"email": email, "password": password}, format="json")


def test_registering_with_an_address_mails_a_link_that_verifies_it(
    smtp, client, django_capture_on_commit_callbacks
):  # noqa: ANN001
    api = _register(django_capture_on_commit_callbacks, email="maya@example.com")
    assert api.get("/api/auth/me").json()["email_verified"] is False

    mail = smtp.wait_for("maya@example.com")
    assert mail.subject == "Confirm your email address"
    page = client.get(urlsplit(mail.link("/verify-email/")).path)

    assert page.status_code == 200
    assert "Email verified" in page.text
    assert User.objects.get(username="maya").email_verified_at is not None
    assert api.get("/api/auth/me").json()["email_verified"] is True


def test_registering_without_an_address_mails_nothing(smtp, django_capture_on_commit_callbacks):  # noqa: ANN001
    _register(django_capture_on_commit_callbacks)

    assert smtp.messages == []


def test_with_verification_off_no_mail_is_sent_and_the_account_works(
    smtp, settings, django_capture_on_commit_callbacks
):  # noqa: ANN001
    settings.ACCOUNT_EMAIL_VERIFICATION = "off"

    api = _register(django_capture_on_commit_callbacks, email="maya@example.com")

    assert smtp.messages == []
    assert api.get("/api/auth/me").json()["username"] == "maya"


def test_a_changed_address_is_unverified_and_old_links_stop_working(
    smtp, client, django_capture_on_commit_callbacks
):  # noqa: ANN001
    api = _register(django_capture_on_commit_callbacks, email="maya@example.com")
    old_link = urlsplit(smtp.wait_for("maya@example.com").link("/verify-email/")).path
    assert client.get(old_link).status_code == 200  # verified the first address
    user = User.objects.get(username="maya")
    assert user.email_verified_at is not None

    response = _change_email(api, django_capture_on_commit_callbacks, "maya@new.example.com")

    assert response.status_code == 200
    assert response.json()["email"] == "maya@new.example.com"
    assert response.json()["email_verified"] is False
    user.refresh_from_db()
    assert (user.email, user.email_verified_at) == ("maya@new.example.com", None)
    # The old address hears of the change; its link no longer verifies anything.
    notice = smtp.wait_for("maya@example.com", count=2)
    assert notice.subject == "Your email address was changed"
    refused = client.get(old_link)
    assert refused.status_code == 400
    user.refresh_from_db()
    assert user.email_verified_at is None
    # The new address's own link does.
    new_link = smtp.wait_for("maya@new.example.com").link("/verify-email/")
    assert client.get(urlsplit(new_link).path).status_code == 200
    user.refresh_from_db()
    assert user.email_verified_at is not None


def test_changing_the_address_needs_the_current_password(smtp, django_capture_on_commit_callbacks):  # noqa: ANN001
    api = _register(django_capture_on_commit_callbacks, email="maya@example.com")

    response = _change_email(
        api, django_capture_on_commit_callbacks, "evil@example.com", password="wrong-guess"
    )

    assert response.status_code == 400
    assert "password" in response.json()["fields"]
    assert User.objects.get(username="maya").email == "maya@example.com"
    assert smtp.to("evil@example.com") == []


def test_a_malformed_address_is_refused_naming_the_field(smtp, django_capture_on_commit_callbacks):  # noqa: ANN001
    api = _register(django_capture_on_commit_callbacks, email="maya@example.com")

    response = _change_email(api, django_capture_on_commit_callbacks, "not an address")

    assert response.status_code == 400
    assert "email" in response.json()["fields"]


def test_resend_mails_a_new_link_until_the_address_is_verified(
    smtp, client, django_capture_on_commit_callbacks
):  # noqa: ANN001
    api = _register(django_capture_on_commit_callbacks, email="maya@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        assert api.post("/api/me/email/verification").status_code == 202
    link = smtp.wait_for("maya@example.com", count=2).link("/verify-email/")
    assert client.get(urlsplit(link).path).status_code == 200

    again = api.post("/api/me/email/verification")

    assert again.status_code == 400
    assert again.json()["error"] == "already_verified"


def test_a_link_for_another_account_or_a_forged_token_verifies_nothing(client):  # noqa: ANN001
    ana = UserFactory(email="ana@example.com")
    bob = UserFactory(email="bob@example.com")
    token = email_verification_tokens.make_token(ana)

    assert client.get(f"/verify-email/{uid_encode(bob)}/{token}").status_code == 400
    assert client.get(f"/verify-email/{uid_encode(ana)}/{token[:-2]}xx").status_code == 400
    assert client.get(f"/verify-email/not-base64/{token}").status_code == 400
    bob.refresh_from_db()
    ana.refresh_from_db()
    assert bob.email_verified_at is None and ana.email_verified_at is None


def test_a_verification_link_lasts_its_own_lifetime_not_the_reset_links(
    client, settings, monkeypatch
):  # noqa: ANN001
    settings.PASSWORD_RESET_TIMEOUT = 3600
    settings.EMAIL_VERIFICATION_TIMEOUT_SECONDS = 7 * 24 * 3600
    user = UserFactory(email="maya@example.com")
    path = f"/verify-email/{uid_encode(user)}/{email_verification_tokens.make_token(user)}"
    issued = email_verification_tokens._now()

    monkeypatch.setattr(email_verification_tokens, "_now", lambda: issued + timedelta(days=8))
    assert client.get(path).status_code == 400
    user.refresh_from_db()
    assert user.email_verified_at is None

    monkeypatch.setattr(email_verification_tokens, "_now", lambda: issued + timedelta(days=2))
    assert client.get(path).status_code == 200
    user.refresh_from_db()
    assert user.email_verified_at is not None


def test_switching_an_address_to_someones_and_back_mails_them_no_more_than_the_hourly_allowance(
    smtp, settings, django_capture_on_commit_callbacks, monkeypatch
):  # noqa: ANN001
    # the per-inbox allowance is tested, not the per-account rate
    monkeypatch.setitem(RedisWindowThrottle.THROTTLE_RATES, "account_mail", "1000/hour")
    api = _register(django_capture_on_commit_callbacks, email="me@attacker.example")
    for flip in range(4 * settings.ACCOUNT_MAILS_PER_ADDRESS_PER_HOUR):
        address = "victim@example.com" if flip % 2 == 0 else "me@attacker.example"
        assert _change_email(api, django_capture_on_commit_callbacks, address).status_code == 200
    _every_mail_delivered(smtp, django_capture_on_commit_callbacks)
    to_victim = smtp.to("victim@example.com")
    # verification links and "your address was changed" notices together
    assert len(to_victim) == settings.ACCOUNT_MAILS_PER_ADDRESS_PER_HOUR


def test_one_inbox_written_many_ways_gets_no_more_than_the_hourly_allowance(
    smtp, settings, django_capture_on_commit_callbacks, monkeypatch
):  # noqa: ANN001
    monkeypatch.setitem(RedisWindowThrottle.THROTTLE_RATES, "account_mail", "1000/hour")
    api = _register(django_capture_on_commit_callbacks, email="me@attacker.example")
    ways = [
        "victim+1@gmail.com",
        "Vic.Tim+2@gmail.com",
        "victim@googlemail.com",
        "VICTIM@gmail.com",
    ]
    for address in ways * 2:
        assert _change_email(api, django_capture_on_commit_callbacks, address).status_code == 200
    _every_mail_delivered(smtp, django_capture_on_commit_callbacks)
    to_victim = [m for m in smtp.messages if mailbox_key(m.recipients[0]) == "victim@gmail.com"]
    assert len(to_victim) == settings.ACCOUNT_MAILS_PER_ADDRESS_PER_HOUR


def test_changing_the_address_is_limited_per_account_like_the_other_mails(
    smtp, settings, django_capture_on_commit_callbacks
):  # noqa: ANN001
    api = _register(django_capture_on_commit_callbacks, email="me@attacker.example")
    limit = int(RedisWindowThrottle.THROTTLE_RATES["account_mail"].split("/")[0])
    answers = [
        _change_email(api, django_capture_on_commit_callbacks, f"v{n}@example.com").status_code
        for n in range(limit + 1)
    ]
    assert answers[:limit] == [200] * limit
    assert answers[limit] == 429
