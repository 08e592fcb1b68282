"""The settings page: for the signed-in owner only, showing what they can change (profile,
privacy, email and whether it is verified, password, deletion), linked from their profile."""

from __future__ import annotations

import pytest
from django.utils import timezone

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_anonymous_visitors_are_sent_to_log_in(client):  # noqa: ANN001
    response = client.get("/settings")

    assert response.status_code == 302
    assert response["Location"] == "/login?next=/settings"


def test_the_page_shows_the_owners_profile_and_forms(client):  # noqa: ANN001
    user = UserFactory(
        display_name="Maya <b>R</b>", bio="hi", email="maya@example.com", is_private=True
    )
    client.force_login(user)

    page = client.get("/settings")

    assert page.status_code == 200
    text = page.text
    assert 'value="Maya &lt;b&gt;R&lt;/b&gt;"' in text
    assert 'id="is_private" data-role="privacy" checked' in text
    assert "maya@example.com" in text
    assert "Not verified" in text
    assert 'data-role="verification-resend"' in text
    for endpoint in ('id="profile-form"', "/api/me/email", "/api/me/password", "/settings/delete"):
        assert endpoint in text
    assert "js/settings.js" in text and "<script>" not in text
    assert "csrftoken" in page.cookies


def test_a_verified_address_is_shown_as_such_without_a_resend_button(client):  # noqa: ANN001
    user = UserFactory(email="maya@example.com", email_verified_at=timezone.now())
    client.force_login(user)

    text = client.get("/settings").text

    assert "Verified" in text and "Not verified" not in text
    assert 'data-role="verification-resend"' not in text


def test_with_verification_off_the_page_says_nothing_about_it(client, settings):  # noqa: ANN001
    settings.ACCOUNT_EMAIL_VERIFICATION = "off"
    client.force_login(UserFactory(email="maya@example.com"))

    text = client.get("/settings").text

    assert "Not verified" not in text and 'data-role="verification-resend"' not in text


def test_the_owners_profile_links_to_settings_and_others_do_not(client):  # noqa: ANN001
    maya, noah = UserFactory(), UserFactory()
    client.force_login(maya)

    own = client.get(f"/@{maya.username}").text
    other = client.get(f"/@{noah.username}").text

    assert 'href="/settings" data-role="settings"' in own
    assert 'data-role="settings"' not in other
