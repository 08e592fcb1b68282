"""Changing the password while signed in: the current password is required, the validators
apply, this session stays signed in while the others end, and the API token is replaced."""

from __future__ import annotations

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from profiles.services.sign_in_guard import sign_in_locked_seconds
from tests.factories import UserFactory
from tiktok.api.throttling import RedisWindowThrottle

pytestmark = pytest.mark.django_db

OLD_PASSWORD = "correct-horse-battery"
NEW_PASSWORD = "purple-otter-lantern-42"


@pytest.fixture
def maya(db):  # noqa: ANN001, ANN201
    return UserFactory(username="maya", raw_password=OLD_PASSWORD)


def _signed_in() -> APIClient:
    client = APIClient()
    response = client.post(
        "/api/auth/login", {"username": "maya", "password": OLD_PASSWORD}, format="json"
    )
    assert response.status_code == 200
    return client


def _change(client: APIClient, old: str = OLD_PASSWORD, new: str = NEW_PASSWORD):  # noqa: ANN202
    return client.post(
        "/api/me/password", {"old_password": old, "new_password": new}, format="json"
    )


def test_a_wrong_current_password_is_refused_naming_the_field(maya):  # noqa: ANN001
    response = _change(_signed_in(), old="not-my-password")

    assert response.status_code == 400
    assert response.json()["error"] == "invalid"
    assert "old_password" in response.json()["fields"]
    maya.refresh_from_db()
    assert maya.check_password(OLD_PASSWORD)


def test_a_weak_new_password_is_refused_with_the_validators_reason(maya):  # noqa: ANN001
    response = _change(_signed_in(), new="12345678")

    assert response.status_code == 400
    assert "new_password" in response.json()["fields"]
    maya.refresh_from_db()
    assert maya.check_password(OLD_PASSWORD)


def test_the_session_that_changed_it_stays_signed_in_and_the_others_end(maya):  # noqa: ANN001
    this_browser, other_browser = _signed_in(), _signed_in()

    response = _change(this_browser)

    assert response.status_code == 200
    assert this_browser.get("/api/auth/me").json()["username"] == "maya"
    assert other_browser.get("/api/auth/me").status_code == 401
    maya.refresh_from_db()
    assert maya.check_password(NEW_PASSWORD)


def test_the_old_api_token_stops_working_and_a_new_one_is_returned(maya):  # noqa: ANN001
    old_key = Token.objects.create(user=maya).key
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {old_key}")

    response = _change(client)

    assert response.status_code == 200
    new_key = response.json()["token"]
    assert new_key != old_key
    assert client.get("/api/auth/me").status_code == 401
    client.credentials(HTTP_AUTHORIZATION=f"Token {new_key}")
    assert client.get("/api/auth/me").json()["username"] == "maya"


def test_anonymous_callers_are_told_to_sign_in(maya):  # noqa: ANN001
    response = _change(APIClient())

    assert response.status_code == 401
    assert response.json()["error"] == "not_authenticated"


def test_wrong_current_passwords_count_towards_the_sign_in_lockout(maya, settings):  # noqa: ANN001
    settings.SIGN_IN_LOCKOUT_FAILURES = 3
    client = _signed_in()
    assert [_change(client, old="guess-guess").status_code for _ in range(3)] == [400, 400, 400]

    locked = _change(client)

    assert locked.status_code == 429
    assert locked.json()["error"] == "account_locked"
    assert sign_in_locked_seconds(username="maya") > 0


def test_changing_is_throttled_like_sign_in(maya, monkeypatch):  # noqa: ANN001
    client = _signed_in()
    monkeypatch.setitem(RedisWindowThrottle.THROTTLE_RATES, "auth", "2/min")

    statuses = [_change(client, old="guess-guess").status_code for _ in range(3)]

    assert statuses == [400, 400, 429]


def test_csrf_is_required_of_a_browser_session(maya):  # noqa: ANN001
    client = APIClient(enforce_csrf_checks=True)
    client.login(username="maya", password=OLD_PASSWORD)

    response = _change(client)

    assert response.status_code == 403
    maya.refresh_from_db()
    assert maya.check_password(OLD_PASSWORD)


def test_a_password_chosen_with_spaces_at_its_ends_is_the_same_password_everywhere() -> None:
    # Sign-up and sign-in cut the spaces, every other password field kept them: a password
    # chosen with them at sign-up could not confirm a change, and one set by a change could
    # never sign in again.
    spaced, new = " correct-horse-battery ", " purple-otter-lantern-42 "
    client = APIClient()
    registered = client.post(
        "/api/auth/register", {"username": "maya", "password": spaced}, format="json"
    )
    assert registered.status_code == 201

    assert _change(client, old=spaced, new=new).status_code == 200

    login = APIClient().post(
        "/api/auth/login", {"username": "maya", "password": new}, format="json"
    )
    assert login.status_code == 200, login.json()
    wrong = APIClient().post(
        "/api/auth/login", {"username": "maya", "password": new.strip()}, format="json"
    )
    assert wrong.status_code == 401


def test_an_account_made_when_sign_up_cut_the_spaces_still_signs_in_with_them() -> None:
    UserFactory(username="maya", raw_password=OLD_PASSWORD)  # stored as sign-up cut it

    login = APIClient().post(
        "/api/auth/login", {"username": "maya", "password": f" {OLD_PASSWORD} "}, format="json"
    )

    assert login.status_code == 200


def test_a_right_confirmation_ends_the_run_of_wrong_passwords(maya, settings) -> None:  # noqa: ANN001
    # Four typos confirming a change, then the right password: one sign-in typo later locked
    # the account, though the lock follows wrong passwords in a row.
    settings.SIGN_IN_LOCKOUT_FAILURES = 5
    client = _signed_in()
    for _ in range(4):
        assert _change(client, old="nope-nope-nope").status_code == 400
    assert _change(client).status_code == 200

    typo = APIClient().post(
        "/api/auth/login", {"username": "maya", "password": "typo"}, format="json"
    )
    assert typo.status_code == 401
    again = APIClient().post(
        "/api/auth/login", {"username": "maya", "password": NEW_PASSWORD}, format="json"
    )
    assert again.status_code == 200, again.json()
