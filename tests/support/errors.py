"""Assertion for the API's one JSON error shape."""

from __future__ import annotations


def assert_error_shape(response, status_code: int, code: str | None = None) -> dict:  # noqa: ANN001
    """The response is {"error", "detail", "fields"} with this status (and error code)."""
    assert response.status_code == status_code, response.content
    body = response.json()
    assert set(body) == {"error", "detail", "fields"}
    if code is not None:
        assert body["error"] == code
    return body
