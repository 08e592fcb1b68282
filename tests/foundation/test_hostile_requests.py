"""Hostile input that used to end in a 500 (an API fuzz: NUL characters, unpaired surrogates,
deep nesting, wrong JSON types, out-of-range dates) gets a 4xx JSON error naming the problem,
and stores nothing."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from feed.models import Interaction
from tests.factories import UserFactory, VideoFactory

pytestmark = pytest.mark.django_db


def _error(response) -> str:  # noqa: ANN001
    assert 400 <= response.status_code < 500, (response.status_code, response.content[:300])
    assert response["Content-Type"].startswith("application/json")
    return response.json()["error"]


@pytest.mark.parametrize(
    "url",
    [
        "/api/users/a%00b",
        "/api/users/a%00b/followers",
        "/api/me/followers/a%00b",
        "/api/me/follow-requests/a%00b/approve",
    ],
)
def test_a_nul_in_the_url_path_is_a_400_before_any_view(url: str) -> None:
    client = APIClient()
    client.force_authenticate(UserFactory())
    response = client.get(url)
    assert response.status_code == 400
    assert _error(response) == "invalid_request"
    assert "NUL" in response.json()["detail"]


def test_a_search_tag_with_a_nul_matches_nothing_instead_of_failing() -> None:
    for url in ("/api/search?tag=a%00b", "/api/search?q=cats&tag=%00"):
        response = APIClient().get(url)
        assert response.status_code == 200, response.content[:300]
        assert response.json()["items"] == []


def test_a_nul_in_a_page_url_is_a_plain_400() -> None:
    response = APIClient().get("/@a%00b")
    assert response.status_code == 400 and b"NUL" in response.content


def test_json_nested_deeper_than_python_can_parse_is_a_400() -> None:
    body = "[" * 5000 + "]" * 5000
    response = APIClient().post("/api/auth/login", body, content_type="application/json")
    assert response.status_code == 400
    assert _error(response) == "parse_error"
    assert "nested too deeply" in response.json()["detail"]


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("post", "/api/interactions", '{"events": [{"session_id": "\\ud800"}]}'),
        ("post", "/api/reports", '{"kind": "\\ud800", "reason": "spam", "id": 1}'),
        ("patch", "/api/me/notification-preferences", '{"\\udfff": true}'),
    ],
)
def test_an_unpaired_surrogate_escape_is_a_400(method: str, path: str, body: str) -> None:
    client = APIClient()
    client.force_authenticate(UserFactory())
    response = getattr(client, method)(path, body, content_type="application/json")
    assert response.status_code == 400
    assert _error(response) == "parse_error"
    assert "surrogate" in response.json()["detail"]
    # A surrogate pair (an emoji written as two escapes) is fine.
    response = client.post(
        "/api/auth/login",
        '{"username": "\\ud83d\\ude00", "password": "x"}',
        content_type="application/json",
    )
    assert response.json().get("error") != "parse_error"


def test_a_video_s_privacy_with_a_surrogate_changes_nothing() -> None:
    video = VideoFactory()
    client = APIClient()
    client.force_authenticate(video.owner)
    before = video.privacy
    response = client.patch(
        f"/api/videos/{video.pk}", '{"privacy": "\\ud800"}', content_type="application/json"
    )
    assert _error(response) == "parse_error"
    video.refresh_from_db()
    assert video.privacy == before


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"type": []}, "invalid_type"),
        ({"type": {"a": 1}}, "invalid_type"),
        ({"session_id": "a\x00b"}, "invalid_session_id"),
        ({"session_id": "line\n"}, "invalid_session_id"),
        ({"session_id": "x" * 65}, "invalid_session_id"),
    ],
)
def test_a_malformed_event_is_rejected_and_not_stored(change: dict, code: str) -> None:
    video = VideoFactory()
    client = APIClient()
    client.force_authenticate(UserFactory())
    event = {
        "event_id": "8b0c6f0e-5b1f-4a5e-9c3e-0d6f1b2a3c4d",
        "video_id": video.pk,
        "type": "play",
        "watch_ms": 1000,
        **change,
    }
    response = client.post("/api/interactions", [event], format="json")
    assert response.status_code < 500
    assert response.json()["rejected"][0]["error"] == code
    assert not Interaction.objects.exists()


def test_a_studio_range_ending_at_the_first_day_of_the_calendar_is_a_400() -> None:
    client = APIClient()
    client.force_authenticate(UserFactory())
    response = client.get("/api/studio/overview?to=0001-01-01")
    assert response.status_code == 400
    assert _error(response) == "invalid_range"


def test_a_token_with_a_nul_is_refused_as_invalid() -> None:
    client = APIClient()
    response = client.get("/api/feed", HTTP_AUTHORIZATION="Token a\x00b")
    assert response.status_code == 401
    assert _error(response) in {"authentication_failed", "not_authenticated"}
