"""Accounts API: register, log in, log out (session and token) and the shared error shape."""

import pytest
from django.core.management import call_command
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from profiles.models import User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"


def test_register_creates_user_logs_in_and_returns_token(api_client):
    response = api_client.post(
        "/api/auth/register",
        {"username": "maya", "password": PASSWORD, "display_name": "Maya"},
        format="json",
    )
    assert response.status_code == 201
    body = response.json()
    assert body["user"]["username"] == "maya"
    assert body["user"]["display_name"] == "Maya"
    assert Token.objects.get(user__username="maya").key == body["token"]
    assert api_client.get("/api/auth/me").json()["username"] == "maya"


@pytest.mark.parametrize("blank", ["\u3164", "\u200b\u200b", "\u2800"])
def test_a_display_name_that_draws_nothing_is_refused(api_client, client_for, blank):  # noqa: ANN001
    # A blank-looking name (the Hangul filler) hides who is commenting.
    response = api_client.post(
        "/api/auth/register",
        {"username": "maya", "password": PASSWORD, "display_name": blank},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["fields"]["display_name"] == [
        "display name has only invisible characters"
    ]
    user = UserFactory(display_name="Maya")
    response = client_for(user).patch("/api/users/me", {"display_name": blank}, format="json")
    assert response.status_code == 400
    user.refresh_from_db()
    assert user.display_name == "Maya"


@pytest.mark.parametrize("control", ["\u202e", "\u202b", "\u2066", "\u2069"])
def test_a_display_name_with_a_direction_control_is_refused(api_client, client_for, control):  # noqa: ANN001
    # "\u202eModerator" turned the sentences it was shown in around: "... liked your video"
    # read backwards, as a message of the site.
    response = api_client.post(
        "/api/auth/register",
        {"username": "maya", "password": PASSWORD, "display_name": f"{control}Moderator"},
        format="json",
    )
    assert response.status_code == 400
    assert "text-direction control" in response.json()["fields"]["display_name"][0]
    user = UserFactory(display_name="Maya")
    response = client_for(user).patch(
        "/api/users/me", {"display_name": f"Ma{control}ya"}, format="json"
    )
    assert response.status_code == 400
    user.refresh_from_db()
    assert user.display_name == "Maya"
    # A right-to-left name is fine: its letters carry their direction.
    response = client_for(user).patch("/api/users/me", {"display_name": "مايا"}, format="json")
    assert response.status_code == 200


def test_a_new_username_is_kept_in_lower_case_so_it_cannot_pass_for_another(api_client):
    # "wiIIiam" (capital i) read as "william" in the site's fonts, shown as typed.
    UserFactory(username="william", display_name="William")
    response = api_client.post(
        "/api/auth/register",
        {"username": "wiIIiam", "password": PASSWORD, "display_name": "William"},
        format="json",
    )
    assert response.status_code == 201
    assert response.json()["user"]["username"] == "wiiiiam"
    login = api_client.post(
        "/api/auth/login", {"username": "WIIIIAM", "password": PASSWORD}, format="json"
    )
    assert login.status_code == 200


@pytest.mark.parametrize("look_alike", ["wi11iam", "wil1iam", "wi1liam", "vviiliam"])
def test_a_new_username_that_reads_as_another_is_refused(api_client, look_alike):  # noqa: ANN001
    # Digits that look like letters ("wi11iam") and letter pairs ("vv" for "w", "rn" for "m")
    # passed for another account's name.
    UserFactory(username="william" if "vv" not in look_alike else "wiiliam")
    response = api_client.post(
        "/api/auth/register", {"username": look_alike, "password": PASSWORD}, format="json"
    )
    assert response.status_code == 400, response.content
    body = response.json()
    assert "username" in body["fields"]
    assert "looks like @" in body["detail"]
    assert not User.objects.filter(username=look_alike).exists()


def test_a_name_that_only_looks_alike_to_a_machine_is_still_free(api_client):
    UserFactory(username="modern")
    for name, status in (("modem", 400), ("rnodern", 400), ("modest", 201), ("will.iam", 201)):
        response = api_client.post(
            "/api/auth/register", {"username": name, "password": PASSWORD}, format="json"
        )
        assert response.status_code == status, (name, response.content)


def test_a_rename_to_a_look_alike_is_refused_and_an_account_keeps_its_own_name(db):  # noqa: ANN001
    # The admin's rename goes through username_claim too.
    from django.core.exceptions import ValidationError

    from profiles.services.accounts import username_claim

    UserFactory(username="maria")
    other = UserFactory(username="someone")
    with pytest.raises(ValidationError):
        username_claim(username="rnaria", user=other)
    username_claim(username="someone", user=other)  # its own name stays its own


def test_register_duplicate_username_names_the_field(api_client):
    UserFactory(username="maya")
    response = api_client.post(
        "/api/auth/register", {"username": "Maya", "password": PASSWORD}, format="json"
    )
    assert response.status_code == 400
    body = response.json()
    assert body["error"] == "invalid"
    assert "username" in body["fields"]
    assert "taken" in body["detail"]


def test_register_reserved_username_is_refused(api_client):
    response = api_client.post(
        "/api/auth/register", {"username": "admin", "password": PASSWORD}, format="json"
    )
    assert response.status_code == 400
    assert "reserved" in response.json()["fields"]["username"][0]


def test_register_weak_password_is_rejected_with_reason(api_client):
    response = api_client.post(
        "/api/auth/register", {"username": "maya", "password": "password"}, format="json"
    )
    assert response.status_code == 400
    assert "password" in response.json()["fields"]
    assert not User.objects.filter(username="maya").exists()


def test_login_with_wrong_password_is_401_in_error_shape(api_client):
    UserFactory(username="maya", raw_password=PASSWORD)
    response = api_client.post(
        "/api/auth/login", {"username": "maya", "password": "nope-nope-nope"}, format="json"
    )
    assert response.status_code == 401
    assert response.json() == {
        "error": "invalid_credentials",
        "detail": "wrong username or password",
        "fields": {},
    }


def test_token_from_login_authenticates_api_clients():
    UserFactory(username="maya", raw_password=PASSWORD)
    token = (
        APIClient()
        .post("/api/auth/login", {"username": "maya", "password": PASSWORD}, format="json")
        .json()["token"]
    )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get("/api/auth/me").json()["username"] == "maya"


def test_logout_ends_the_session(api_client):
    UserFactory(username="maya", raw_password=PASSWORD)
    api_client.post("/api/auth/login", {"username": "maya", "password": PASSWORD}, format="json")
    assert api_client.post("/api/auth/logout").status_code == 204
    response = api_client.get("/api/auth/me")
    assert response.status_code == 401
    assert response.json()["error"] == "not_authenticated"


def test_logout_with_token_revokes_the_token():
    user = UserFactory(username="maya", raw_password=PASSWORD)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    assert client.post("/api/auth/logout").status_code == 204
    assert not Token.objects.filter(user=user).exists()
    assert client.get("/api/auth/me").status_code == 401


def test_session_post_without_csrf_token_is_refused():
    UserFactory(username="maya", raw_password=PASSWORD)
    client = APIClient(enforce_csrf_checks=True)
    client.login(username="maya", password=PASSWORD)
    response = client.post("/api/auth/logout")
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]


def test_unknown_api_path_is_json_404(client):
    response = client.get("/api/no-such-thing")
    assert response.status_code == 404
    assert response.json()["error"] == "not_found"


def test_malformed_json_body_is_400_in_error_shape(api_client):
    response = api_client.post("/api/auth/login", data="{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"] == "parse_error"


def test_openapi_schema_and_docs_are_served(client):
    schema = client.get("/api/schema")
    assert schema.status_code == 200
    assert b"/api/auth/register" in schema.content
    assert client.get("/api/docs").status_code == 200


def test_createsuperuser_makes_an_admin_who_can_open_the_admin(client, monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", PASSWORD)
    call_command("createsuperuser", interactive=False, username="root", email="root@example.com")
    assert client.login(username="root", password=PASSWORD)
    assert client.get("/admin/").status_code == 200


def test_token_authentication_loads_the_user_as_the_orm_does():
    from tiktok.api.authentication import TokenAuthentication

    user = UserFactory(username="maya", display_name="Maya", avatar="avatars/maya.png")
    key = Token.objects.create(user=user).key
    authenticated, token = TokenAuthentication().authenticate_credentials(key)
    stored = User.objects.get(pk=user.pk)
    for field in User._meta.concrete_fields:
        assert getattr(authenticated, field.attname) == getattr(stored, field.attname), field
    assert authenticated.avatar.url.endswith("avatars/maya.png")
    assert authenticated.date_joined.tzinfo is not None and not authenticated._state.adding
    assert token.key == key and token.user is authenticated and token.user_id == user.pk


@pytest.mark.parametrize(
    ("header", "detail"),
    [("Token not-a-key", "Invalid token."), ("Token a b", "Invalid token header.")],
)
def test_a_bad_token_is_401_naming_the_problem(header, detail):  # noqa: ANN001
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)
    response = client.get("/api/auth/me")
    assert response.status_code == 401
    assert detail.rstrip(".") in response.json()["detail"]


def test_the_token_of_an_inactive_user_is_refused():
    user = UserFactory(is_active=False)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    response = client.get("/api/auth/me")
    assert response.status_code == 401
    assert "inactive" in response.json()["detail"]


def test_a_username_typed_with_another_case_signs_in():
    # Phones capitalise the first letter; usernames are unique without regard to case.
    UserFactory(username="maya", raw_password=PASSWORD)
    response = APIClient().post(
        "/api/auth/login", {"username": "Maya", "password": PASSWORD}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["token"]


def test_a_profile_page_is_found_whatever_the_case_of_its_name(client):
    # A caption's "@Maya" links to /@Maya; the mention itself notifies maya.
    UserFactory(username="maya")
    response = client.get("/@Maya")
    assert response.status_code == 200
    assert "maya" in response.content.decode()


@pytest.mark.django_db(transaction=True)
def test_one_name_in_two_cases_registered_at_once_makes_one_account():
    """ "maria" and "Maria" at the same moment: both passed the case-insensitive check before
    either committed, and the case-sensitive unique constraint let both in."""
    import threading

    from django.core.exceptions import ValidationError
    from django.db import connection, transaction

    from profiles.models import User
    from profiles.services.accounts import user_register

    first_in, commit_first = threading.Event(), threading.Event()
    outcomes: dict[str, str] = {}

    def first() -> None:
        try:
            with transaction.atomic():
                user_register(username="maria", password="a-long-pass-phrase")
                first_in.set()
                commit_first.wait(30)
            outcomes["maria"] = "registered"
        finally:
            first_in.set()
            connection.close()

    def second() -> None:
        try:
            user_register(username="Maria", password="a-long-pass-phrase")
            outcomes["Maria"] = "registered"
        except ValidationError as exc:
            outcomes["Maria"] = str(exc)
        finally:
            connection.close()

    one = threading.Thread(target=first)
    one.start()
    first_in.wait(30)
    two = threading.Thread(target=second)
    two.start()
    two.join(timeout=5)  # without the lock it is done by now, with a second account
    commit_first.set()
    one.join(30)
    two.join(30)
    assert outcomes["maria"] == "registered"
    assert "taken" in outcomes["Maria"]
    assert list(
        User.objects.filter(username__iexact="maria").values_list("username", flat=True)
    ) == ["maria"]


@pytest.mark.parametrize("name", ["ana.", "ana..", "..."])
def test_a_name_ending_in_a_dot_is_refused_as_no_mention_can_name_it(api_client, name) -> None:  # noqa: ANN001
    # A mention drops a final dot as punctuation: "@ana." named the account ana.
    from tests.support.errors import assert_error_shape

    response = api_client.post(
        "/api/auth/register",
        {"username": name, "password": "correct-horse-battery"},
        format="json",
    )

    assert_error_shape(response, 400, "invalid")
    assert "not ending in '.'" in str(response.json())
    assert not User.objects.filter(username=name).exists()


def test_a_name_with_dots_inside_is_taken(api_client) -> None:  # noqa: ANN001
    response = api_client.post(
        "/api/auth/register",
        {"username": "ana.b.c", "password": "correct-horse-battery"},
        format="json",
    )
    assert response.status_code == 201


def test_one_address_makes_a_bounded_number_of_accounts_a_day(settings) -> None:  # noqa: ANN001
    # Every other limit counts per account: 20 sign-ups a minute from one address multiplied
    # them all (about 36,000 uploads an hour). Attempts that make no account do not count.
    settings.ACCOUNTS_PER_ADDRESS_PER_DAY = 2
    UserFactory(username="taken_name")

    def register(name: str):  # noqa: ANN202
        return APIClient(REMOTE_ADDR="10.9.9.9").post(
            "/api/auth/register",
            {"username": name, "password": "correct-horse-battery"},
            format="json",
        )

    assert register("taken_name").status_code == 400
    assert [register(f"sock_{n}").status_code for n in range(2)] == [201, 201]
    refused = register("sock_2")

    from tests.support.errors import assert_error_shape

    assert_error_shape(refused, 429, "too_many_accounts")
    assert not User.objects.filter(username="sock_2").exists()
    other = APIClient(REMOTE_ADDR="10.9.9.10").post(
        "/api/auth/register",
        {"username": "elsewhere", "password": "correct-horse-battery"},
        format="json",
    )
    assert other.status_code == 201
