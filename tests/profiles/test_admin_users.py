"""Accounts edited in the Django admin keep the rules and consequences of profiles' services."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from profiles.models import Follow, FollowRequest, User
from tests.factories import UserFactory
from tests.support.admin_forms import (
    change_form,
    post_change_form,
    staff_user_client,
    superuser_client,
)

pytestmark = pytest.mark.django_db
ADD = "/admin/profiles/user/add/"


def _user_url(user: User) -> str:
    return f"/admin/profiles/user/{user.pk}/change/"


def test_making_an_account_public_in_the_admin_approves_its_pending_requests() -> None:
    owner, requester = UserFactory(is_private=True), UserFactory()
    FollowRequest.objects.create(requester=requester, target=owner)

    response = post_change_form(superuser_client(), _user_url(owner), is_private="")

    assert response.status_code == 302, response.content.decode()[:3000]
    owner.refresh_from_db()
    assert not owner.is_private
    assert Follow.objects.filter(follower=requester, followee=owner).exists()
    assert not FollowRequest.objects.exists()


def test_changing_the_email_in_the_admin_unverifies_it() -> None:
    user = UserFactory(email="old@example.com", email_verified_at=timezone.now())

    response = post_change_form(superuser_client(), _user_url(user), email="new@example.org")

    assert response.status_code == 302, response.content.decode()[:3000]
    user.refresh_from_db()
    assert user.email == "new@example.org"
    assert user.email_verified_at is None


def test_saving_other_fields_in_the_admin_keeps_the_email_verified() -> None:
    user = UserFactory(email="old@example.com", email_verified_at=timezone.now())

    response = post_change_form(superuser_client(), _user_url(user), display_name="Ana")

    assert response.status_code == 302, response.content.decode()[:3000]
    user.refresh_from_db()
    assert user.display_name == "Ana"
    assert user.email_verified_at is not None


def test_renaming_in_the_admin_refuses_a_case_variant_of_a_taken_name() -> None:
    UserFactory(username="alice")
    other = UserFactory(username="bob")

    response = post_change_form(superuser_client(), _user_url(other), username="Alice")

    assert response.status_code == 200
    assert "this username is taken" in response.content.decode()
    other.refresh_from_db()
    assert other.username == "bob"


def test_renaming_in_the_admin_refuses_reserved_names_and_characters_registration_refuses() -> None:
    other = UserFactory(username="bob")
    client = superuser_client()

    reserved = post_change_form(client, _user_url(other), username="Admin")
    spaced = post_change_form(client, _user_url(other), username="bob smith")

    assert reserved.status_code == spaced.status_code == 200
    assert "this username is reserved" in reserved.content.decode()
    assert "3-30 letters, digits" in spaced.content.decode()
    other.refresh_from_db()
    assert other.username == "bob"


def test_an_account_may_be_renamed_to_its_own_name_in_another_case() -> None:
    user = UserFactory(username="bob")

    response = post_change_form(superuser_client(), _user_url(user), username="Bob")

    assert response.status_code == 302, response.content.decode()[:3000]
    user.refresh_from_db()
    assert user.username == "Bob"


def test_an_account_named_before_the_rules_stays_editable() -> None:
    user = UserFactory(username="ops@example.com")

    response = post_change_form(superuser_client(), _user_url(user), display_name="Ops")

    assert response.status_code == 302, response.content.decode()[:3000]
    user.refresh_from_db()
    assert user.display_name == "Ops"


def test_adding_an_account_in_the_admin_refuses_a_reserved_name() -> None:
    response = superuser_client().post(
        ADD, {"username": "admin", "usable_password": "false", "password1": "", "password2": ""}
    )

    assert response.status_code == 200
    assert "this username is reserved" in response.content.decode()
    assert not User.objects.filter(username="admin").exists()


def _jpeg_with_location() -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif.get_ifd(0x8825)[2] = (48.0, 51.0, 24.0)  # GPSLatitude
    out = io.BytesIO()
    Image.new("RGB", (900, 600), (30, 120, 200)).save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


def _post_avatar(user: User, content: bytes, name: str):  # noqa: ANN202
    client = superuser_client()
    data = change_form(client, _user_url(user)).data
    data.pop("_continue", None)
    data.pop("_addanother", None)
    data["avatar"] = SimpleUploadedFile(name, content, content_type="image/jpeg")
    return client.post(_user_url(user), data)


def test_an_avatar_uploaded_in_the_admin_is_re_encoded_without_its_location() -> None:
    user = UserFactory()

    response = _post_avatar(user, _jpeg_with_location(), "holiday.jpg")

    assert response.status_code == 302, response.content.decode()[:3000]
    user.refresh_from_db()
    with user.avatar.open("rb") as stored, Image.open(stored) as image:
        assert image.format == "JPEG"
        assert image.size == (512, 512)
        assert not image.getexif()


def test_an_avatar_too_large_in_the_admin_is_a_form_error(settings) -> None:  # noqa: ANN001
    settings.MAX_AVATAR_BYTES = 1024
    user = UserFactory()

    response = _post_avatar(user, _jpeg_with_location(), "big.jpg")

    assert response.status_code == 200
    assert "image is larger than" in response.content.decode()
    user.refresh_from_db()
    assert not user.avatar


def test_staff_holding_change_user_cannot_grant_itself_permissions() -> None:
    user, client = staff_user_client("profiles.view_user", "profiles.change_user")
    form = change_form(client, _user_url(user))
    assert "is_superuser" not in form.data and "user_permissions" not in form.data
    data = {**form.data, "is_superuser": ["on"], "is_staff": ["on"], "display_name": ["Me"]}
    data["user_permissions"] = [str(p) for p in range(1, 40)]

    response = client.post(_user_url(user), data)

    assert response.status_code == 302, response.content.decode()[:3000]
    user.refresh_from_db()
    assert user.display_name == "Me"  # the profile is edited...
    assert not user.is_superuser  # ...not the permissions
    assert user.user_permissions.count() == 2


def test_staff_holding_change_user_cannot_change_a_colleague_or_an_owner() -> None:
    owner = UserFactory(is_staff=True, is_superuser=True, raw_password="owner-secret-123")
    colleague = UserFactory(is_staff=True, display_name="Colleague")
    member = UserFactory(display_name="Member")
    _, client = staff_user_client("profiles.view_user", "profiles.change_user")

    stolen = client.post(
        f"/admin/profiles/user/{owner.pk}/password/",
        {"password1": "Taken-over-987!", "password2": "Taken-over-987!", "usable_password": "true"},
    )
    assert stolen.status_code == 403
    owner.refresh_from_db()
    assert owner.check_password("owner-secret-123")
    assert client.post(_user_url(colleague), {"display_name": "Renamed"}).status_code == 403
    colleague.refresh_from_db()
    assert colleague.display_name == "Colleague"

    # An ordinary account is still edited, and a superuser edits anyone's permissions.
    assert post_change_form(client, _user_url(member), display_name="M").status_code == 302
    member.refresh_from_db()
    assert member.display_name == "M"
    response = post_change_form(superuser_client(), _user_url(colleague), is_superuser="on")
    assert response.status_code == 302
    colleague.refresh_from_db()
    assert colleague.is_superuser


def test_a_display_name_of_invisible_characters_is_refused_in_the_admin_as_in_the_app() -> None:
    user = UserFactory(display_name="Maya")

    response = post_change_form(superuser_client(), _user_url(user), display_name="\u3164\u200b")

    assert response.status_code == 200  # the form again, with the error
    assert "only invisible characters" in response.content.decode()
    user.refresh_from_db()
    assert user.display_name == "Maya"
    post_change_form(superuser_client(), _user_url(user), display_name="  Maya K  ")
    user.refresh_from_db()
    assert user.display_name == "Maya K"
