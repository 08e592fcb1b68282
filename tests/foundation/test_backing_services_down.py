"""A backing service that cannot be reached is a 503 with Retry-After, not a 500."""

from __future__ import annotations

import pytest
import redis
from django.db import OperationalError
from django.test import Client
from rest_framework.test import APIClient

from feed import state
from tests.factories import UserFactory, VideoFactory
from tiktok.api.errors import exception_handler


@pytest.mark.django_db
def test_the_feed_with_its_redis_unreachable_is_a_503_to_retry(monkeypatch) -> None:  # noqa: ANN001
    VideoFactory()
    # A real client to a port nothing listens on: connection refused, as when Redis restarts.
    unreachable = redis.Redis(host="127.0.0.1", port=1, socket_connect_timeout=1)
    monkeypatch.setattr(state, "redis_client", lambda: unreachable)
    client = APIClient()
    client.force_authenticate(UserFactory())
    response = client.get("/api/feed")
    assert response.status_code == 503
    assert response.json()["error"] == "redis_unavailable"
    assert response["Retry-After"] == "5"


def test_a_redis_demoted_to_a_replica_by_a_failover_is_a_503() -> None:
    # Until the app's address points at the new primary, writes answer READONLY (a 500).
    response = exception_handler(
        redis.ReadOnlyError("You can't write against a read only replica."), {}
    )
    assert response.status_code == 503
    assert response.data["error"] == "redis_unavailable"


def test_a_redis_at_its_memory_limit_is_a_503() -> None:
    # With the documented noeviction policy a full Redis refuses writes: retry, not a 500.
    response = exception_handler(
        redis.exceptions.OutOfMemoryError("command not allowed when used memory > 'maxmemory'."),
        {},
    )
    assert response.status_code == 503
    assert response.data["error"] == "redis_unavailable"


def test_a_database_that_cannot_be_reached_is_a_503() -> None:
    response = exception_handler(OperationalError("connection refused"), {})
    assert response.status_code == 503
    assert response.data["error"] == "database_unavailable"


def _operational_error(cause: Exception) -> OperationalError:
    error = OperationalError(str(cause))
    error.__cause__ = cause
    return error


def test_deadlocks_timeouts_and_a_wrong_redis_password_are_not_outages() -> None:
    import psycopg.errors

    for exc in (
        _operational_error(psycopg.errors.DeadlockDetected("deadlock detected")),
        _operational_error(psycopg.errors.QueryCanceled("canceling statement due to timeout")),
        redis.AuthenticationError("invalid password"),
    ):
        assert exception_handler(exc, {}).status_code == 500
    shutdown = _operational_error(psycopg.errors.AdminShutdown("terminating connection"))
    assert exception_handler(shutdown, {}).status_code == 503


@pytest.mark.parametrize(
    "error",
    [OperationalError("connection refused"), redis.ConnectionError("Connection refused")],
    ids=["database", "redis"],
)
def test_a_page_whose_backing_service_is_down_is_a_503_page(monkeypatch, error) -> None:  # noqa: ANN001
    """Pages answered a bare 500 when the database or Redis could not be reached; the API
    answered 503 with Retry-After. Now both do."""

    def down(**kwargs: object) -> None:
        raise error

    monkeypatch.setattr("profiles.pages.user_active_by_username", down)
    response = Client(raise_request_exception=False).get("/@someone/followers")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response["Content-Type"].startswith("text/html")
    assert "Back in a moment" in response.content.decode()


def test_a_page_failing_for_another_reason_is_still_a_500(monkeypatch) -> None:  # noqa: ANN001
    def deadlocked(**kwargs: object) -> None:
        import psycopg.errors

        raise _operational_error(psycopg.errors.DeadlockDetected("deadlock detected"))

    monkeypatch.setattr("profiles.pages.user_active_by_username", deadlocked)
    assert Client(raise_request_exception=False).get("/@someone/followers").status_code == 500
