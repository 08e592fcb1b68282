"""Signing in mid-scroll on a session the client names (the web client sends X-Session-Id on
every call): the account goes on from what that session was served, hid and saw signed out,
so the next pages do not serve those videos again."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from feed import state
from tests.factories import UserFactory
from tests.feed.factories import cluster, event

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"
TAB = {"HTTP_X_SESSION_ID": "tab-sign-in-1"}


def _ids(response) -> list[int]:  # noqa: ANN001
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["items"]]


def test_pages_after_signing_in_do_not_repeat_what_was_served_signed_out():
    cluster(0, 24)
    cluster(3, 24)
    user = UserFactory(raw_password=PASSWORD)
    client = APIClient()
    first = _ids(client.get("/api/feed?limit=10", **TAB))
    watched = [
        event(video_id, "finish", 15000, session_id=TAB["HTTP_X_SESSION_ID"])
        for video_id in first[:3]
    ]
    assert client.post("/api/interactions", watched, format="json", **TAB).status_code in (200, 202)

    signed_in = client.post(
        "/api/auth/login", {"username": user.username, "password": PASSWORD}, format="json", **TAB
    )
    assert signed_in.status_code == 200
    after = _ids(client.get("/api/feed?limit=10", **TAB))

    assert len(after) == 10
    assert not set(first) & set(after)
    owner = state.owner_key(user_id=user.pk, session_id=TAB["HTTP_X_SESSION_ID"])
    seen = state.redis_client().zrange(state.seen_zset_key(owner), 0, -1)
    assert set(first[:3]) <= {int(video_id) for video_id in seen}


def test_signing_in_without_a_named_session_carries_nothing_over():
    cluster(0, 12)
    user = UserFactory(raw_password=PASSWORD)
    client = APIClient()
    assert (
        client.post(
            "/api/auth/login", {"username": user.username, "password": PASSWORD}, format="json"
        ).status_code
        == 200
    )
    owner = state.owner_key(user_id=user.pk, session_id=TAB["HTTP_X_SESSION_ID"])
    client_redis = state.redis_client()
    assert not client_redis.exists(
        state.served_set_key(owner, TAB["HTTP_X_SESSION_ID"]), state.seen_zset_key(owner)
    )
