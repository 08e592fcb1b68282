"""Making an account private or public from the profile edit (PATCH /api/users/me): the
profile says so, and going public approves the pending follow requests."""

from __future__ import annotations

import pytest

from profiles.models import Follow, FollowRequest
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_owner_makes_the_account_private_and_the_profile_says_so(client_for, creator):  # noqa: ANN001
    response = client_for(creator).patch("/api/users/me", {"is_private": True}, format="json")

    assert response.status_code == 200
    assert response.json()["is_private"] is True
    creator.refresh_from_db()
    assert creator.is_private is True
    assert client_for(None).get(f"/api/users/{creator.username}").json()["is_private"] is True


def test_going_public_approves_the_pending_requests(client_for, creator):  # noqa: ANN001
    client_for(creator).patch("/api/users/me", {"is_private": True}, format="json")
    fan = UserFactory()
    assert client_for(fan).post(f"/api/users/{creator.username}/follow").status_code == 200
    assert FollowRequest.objects.filter(requester=fan, target=creator).exists()

    response = client_for(creator).patch("/api/users/me", {"is_private": "false"})  # multipart

    assert response.status_code == 200
    assert response.json()["is_private"] is False
    assert Follow.objects.filter(follower=fan, followee=creator).exists()
    assert not FollowRequest.objects.filter(requester=fan, target=creator).exists()


def test_leaving_privacy_out_keeps_it(client_for, creator):  # noqa: ANN001
    client_for(creator).patch("/api/users/me", {"is_private": True}, format="json")

    response = client_for(creator).patch("/api/users/me", {"bio": "new"}, format="json")

    assert response.json()["is_private"] is True
