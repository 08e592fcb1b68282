"""Operators create challenges in the Django admin, with the API's checks."""

from __future__ import annotations

import pytest
from django.test import Client

from discover.models import Challenge
from tests.discover.conftest import hours, now
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
ADD = "/admin/discover/challenge/add/"


@pytest.fixture
def operator_client() -> Client:
    client = Client()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def _form(start, end, hashtag: str = "#Dance") -> dict:  # noqa: ANN001
    return {
        "hashtag_name": hashtag,
        "title": "Dance week",
        "rules": "",
        "starts_at_0": start.strftime("%Y-%m-%d"),
        "starts_at_1": start.strftime("%H:%M:%S"),
        "ends_at_0": end.strftime("%Y-%m-%d"),
        "ends_at_1": end.strftime("%H:%M:%S"),
        "entries-TOTAL_FORMS": "0",
        "entries-INITIAL_FORMS": "0",
    }


def test_operator_creates_a_challenge_with_a_new_hashtag(operator_client):  # noqa: ANN001
    response = operator_client.post(ADD, _form(now(), now() + hours(48)))
    assert response.status_code == 302, response.content.decode()[:2000]
    challenge = Challenge.objects.get()
    assert challenge.hashtag.name == "dance"
    assert challenge.creator.is_staff


def test_admin_refuses_an_end_before_the_start(operator_client):  # noqa: ANN001
    response = operator_client.post(ADD, _form(now() + hours(5), now() + hours(1)))
    assert response.status_code == 200
    assert "ends_at must be after starts_at" in response.content.decode()
    assert not Challenge.objects.exists()


def test_admin_refuses_a_malformed_hashtag(operator_client):  # noqa: ANN001
    response = operator_client.post(ADD, _form(now(), now() + hours(5), hashtag="two words"))
    assert response.status_code == 200
    assert "digits and underscores" in response.content.decode()
    assert not Challenge.objects.exists()
