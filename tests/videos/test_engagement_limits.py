"""Rate limits (DRF throttling) and CSRF on session-authenticated writes."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient
from rest_framework.throttling import ScopedRateThrottle

from tests.factories import UserFactory
from tests.support.errors import assert_error_shape
from videos.models import Comment

pytestmark = pytest.mark.django_db


@pytest.fixture
def likes_limit_3(monkeypatch) -> int:  # noqa: ANN001
    # DRF copies the rates into the throttle class at import, so the class dict is patched.
    monkeypatch.setitem(ScopedRateThrottle.THROTTLE_RATES, "likes", "3/min")
    return 3


@pytest.fixture
def comments_limit_2(monkeypatch) -> int:  # noqa: ANN001
    monkeypatch.setitem(ScopedRateThrottle.THROTTLE_RATES, "comments", "2/min")
    return 2


def test_likes_over_the_rate_get_429_in_the_error_shape(client_for, video, likes_limit_3):
    client = client_for(UserFactory())
    for _ in range(likes_limit_3):
        assert client.post(f"/api/videos/{video.pk}/like").status_code == 200

    response = client.post(f"/api/videos/{video.pk}/like")

    assert_error_shape(response, 429, "throttled")
    assert "Retry-After" in response.headers


def test_likes_rate_is_per_user(client_for, video, likes_limit_3):
    for _ in range(likes_limit_3):
        client_for(UserFactory()).post(f"/api/videos/{video.pk}/like")
    noisy = client_for(UserFactory())
    for _ in range(likes_limit_3):
        noisy.post(f"/api/videos/{video.pk}/like")

    assert client_for(UserFactory()).post(f"/api/videos/{video.pk}/like").status_code == 200


def test_comments_over_the_rate_get_429_and_are_not_stored(client_for, video, comments_limit_2):
    client = client_for(UserFactory())
    url = f"/api/videos/{video.pk}/comments"
    for n in range(comments_limit_2):
        assert client.post(url, {"body": f"c{n}"}, format="json").status_code == 201

    response = client.post(url, {"body": "one too many"}, format="json")

    assert_error_shape(response, 429, "throttled")
    assert Comment.objects.count() == comments_limit_2


def test_reading_comments_is_not_throttled_by_the_comments_rate(
    client_for, video, comments_limit_2
):
    client = client_for(UserFactory())

    statuses = {client.get(f"/api/videos/{video.pk}/comments").status_code for _ in range(5)}

    assert statuses == {200}


def test_session_like_without_csrf_token_is_rejected(video):
    fan = UserFactory(raw_password="correct horse battery")
    client = APIClient(enforce_csrf_checks=True)
    client.login(username=fan.username, password="correct horse battery")

    response = client.post(f"/api/videos/{video.pk}/like")

    assert_error_shape(response, 403)


def test_session_like_with_csrf_token_is_accepted(video):
    fan = UserFactory(raw_password="correct horse battery")
    client = APIClient(enforce_csrf_checks=True)
    client.login(username=fan.username, password="correct horse battery")
    secret = "a1b2c3d4" * 4  # a valid 32-character CSRF secret, as the cookie would carry
    client.cookies["csrftoken"] = secret

    response = client.post(f"/api/videos/{video.pk}/like", HTTP_X_CSRFTOKEN=secret)

    assert response.json() == {"liked": True, "likes": 1}
