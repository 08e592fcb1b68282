"""The API's contract where Django or DRF would answer otherwise: request-parsing refusals are
4xx JSON (they were 500 with a logged traceback, for anyone), a garbage cursor is 400
`invalid_cursor` on every list (DRF's own lists answered 404 `not_found`), /api/health takes
HEAD and OPTIONS (load balancers' and monitors' probes), and the OpenAPI schema says what the
endpoints answer."""

from __future__ import annotations

import base64

import pytest
from rest_framework.test import APIClient

from tests.factories import UserFactory, VideoFactory

pytestmark = pytest.mark.django_db

MANY = "&".join(f"f{i}=1" for i in range(1001))  # DATA_UPLOAD_MAX_NUMBER_FIELDS is 1000


def _error(response, status: int, code: str) -> None:  # noqa: ANN001
    assert response.status_code == status, (response.status_code, response.content[:300])
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["error"] == code


@pytest.mark.parametrize("path", ["/api/feed", "/api/search?q=cats", "/api/discover/videos"])
def test_a_query_string_of_over_1000_parameters_is_a_400(path: str) -> None:
    sep = "&" if "?" in path else "?"
    _error(APIClient().get(f"{path}{sep}{MANY}"), 400, "too_many_fields")


def _signed_in() -> APIClient:
    client = APIClient()
    client.force_authenticate(UserFactory())
    return client


def test_a_form_of_over_1000_fields_is_a_400() -> None:
    video = VideoFactory()
    response = _signed_in().post(
        f"/api/videos/{video.pk}/comments", MANY, content_type="application/x-www-form-urlencoded"
    )
    _error(response, 400, "too_many_fields")


def _multipart(parts: list[str]) -> bytes:
    return ("".join(f"--B\r\n{part}\r\n" for part in parts) + "--B--\r\n").encode()


def test_an_upload_of_over_100_files_is_a_400() -> None:
    body = _multipart(
        [
            f'Content-Disposition: form-data; name="file"; filename="a{i}.mp4"\r\n'
            "Content-Type: video/mp4\r\n\r\nxx"
            for i in range(101)
        ]
    )
    response = _signed_in().post(
        "/api/videos", body, content_type="multipart/form-data; boundary=B"
    )
    _error(response, 400, "too_many_files")


def test_a_form_field_over_the_memory_limit_is_a_413(settings) -> None:  # noqa: ANN001
    # The upload route takes MAX_UPLOAD_BYTES, but a field that is not a file is read into
    # memory and limited to DATA_UPLOAD_MAX_MEMORY_SIZE.
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 64 * 1024
    body = _multipart(['Content-Disposition: form-data; name="caption"\r\n\r\n' + "x" * 70_000])
    response = _signed_in().post(
        "/api/videos", body, content_type="multipart/form-data; boundary=B"
    )
    _error(response, 413, "body_too_large")
    assert "64 KB" in response.json()["detail"]


LISTS = [
    "/api/videos/{video}/comments",
    "/api/users/{creator}/videos",
    "/api/users/{creator}/liked",
    "/api/users/{creator}/followers",
    "/api/users/{creator}/following",
    "/api/me/saved",
    "/api/me/favorite-sounds",
    "/api/me/follow-requests",
    "/api/notifications",
]


@pytest.mark.parametrize("path", LISTS)
def test_a_garbage_cursor_is_400_invalid_cursor_on_every_list(path: str) -> None:
    creator = UserFactory()
    video = VideoFactory(owner=creator)
    url = path.format(video=video.pk, creator=creator.username)
    _error(_signed_in().get(url, {"cursor": "garbage"}), 400, "invalid_cursor")


def test_a_notifications_cursor_at_a_position_that_is_no_time_is_400_invalid_cursor() -> None:
    cursor = base64.b64encode(b"p=yesterday").decode()
    _error(_signed_in().get("/api/notifications", {"cursor": cursor}), 400, "invalid_cursor")


def test_health_answers_head_like_get_and_options_without_checks() -> None:
    client = APIClient()
    assert client.get("/api/health").status_code == 200
    assert client.head("/api/health").status_code == 200
    options = client.options("/api/health")
    assert options.status_code == 200
    assert options["Allow"] == "GET, HEAD, OPTIONS"


def test_health_refuses_other_methods_in_the_api_error_shape() -> None:
    response = APIClient(enforce_csrf_checks=True).post("/api/health")
    _error(response, 405, "method_not_allowed")
    assert response["Allow"] == "GET, HEAD, OPTIONS"


@pytest.fixture(scope="module")
def schema(django_db_blocker) -> dict:  # noqa: ANN001
    with django_db_blocker.unblock():
        response = APIClient().get("/api/schema", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    return response.json()


def _properties(schema: dict, path: str, method: str, status: str) -> set[str]:
    content = schema["paths"][path][method]["responses"][status]["content"]
    ref = content["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    return set(schema["components"]["schemas"][ref]["properties"])


def test_the_schema_of_register_and_login_carries_the_token_they_answer(schema: dict) -> None:
    UserFactory(username="maya", raw_password="a-long-password-1")
    answer = APIClient().post(
        "/api/auth/login", {"username": "maya", "password": "a-long-password-1"}, format="json"
    )
    assert set(answer.json()) == {"user", "token"}
    assert _properties(schema, "/api/auth/login", "post", "200") == {"user", "token"}
    assert _properties(schema, "/api/auth/register", "post", "201") == {"user", "token"}


def test_the_schema_has_the_status_each_write_answers(schema: dict) -> None:
    me, other = UserFactory(), UserFactory()
    video = VideoFactory()
    follower = APIClient()
    follower.force_authenticate(other)
    assert follower.post(f"/api/users/{me.username}/follow").status_code == 200
    client = APIClient()
    client.force_authenticate(me)
    calls = [
        ("delete", "/api/me/followers/{username}", f"/api/me/followers/{other.username}"),
        ("post", "/api/users/{username}/follow", f"/api/users/{other.username}/follow"),
        ("delete", "/api/users/{username}/follow", f"/api/users/{other.username}/follow"),
        ("post", "/api/users/{username}/block", f"/api/users/{other.username}/block"),
        ("delete", "/api/users/{username}/block", f"/api/users/{other.username}/block"),
        ("post", "/api/videos/{video_id}/comments", f"/api/videos/{video.pk}/comments"),
        ("post", "/api/videos/{video_id}/like", f"/api/videos/{video.pk}/like"),
        ("delete", "/api/videos/{video_id}/like", f"/api/videos/{video.pk}/like"),
    ]
    for method, documented, real in calls:
        answer = getattr(client, method)(real, {"body": "hi"}, format="json")
        assert answer.status_code < 300, (method, real, answer.content)
        declared = schema["paths"][documented][method]["responses"]
        assert str(answer.status_code) in declared, (method, documented, list(declared))


@pytest.mark.parametrize(
    ("path", "names"),
    [
        ("/api/search", {"q", "type", "cursor", "limit", "tag"}),
        ("/api/feed", {"cursor", "limit", "release", "session_id"}),
        ("/api/videos/{video_id}/comments", {"cursor", "limit", "parent"}),
        ("/api/hashtags/{name}/videos", {"sort", "cursor", "limit"}),
        ("/api/studio/overview", {"from", "to"}),
        ("/api/notifications", {"cursor", "limit"}),
    ],
)
def test_the_schema_names_the_query_parameters(schema: dict, path: str, names: set[str]) -> None:
    declared = {p["name"] for p in schema["paths"][path]["get"].get("parameters", [])}
    assert names <= declared, f"{path}: missing {sorted(names - declared)}"


def test_no_operation_is_described_by_the_base_views_docstring(schema: dict) -> None:
    base = "Base view"
    described = [
        (method, path)
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
        if base in (operation.get("description") or "")
    ]
    assert described == []
