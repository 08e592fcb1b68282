"""Notifications tests: deliveries run as in production (event → task after commit → row)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from notifications.models import Notification


@pytest.fixture
def delivered(django_capture_on_commit_callbacks, celery_eager) -> Callable:  # noqa: ANN001
    """Run an action, then what it queued after commit (events, delivery tasks, pushes)."""

    def run(action: Callable[[], object]) -> object:
        with django_capture_on_commit_callbacks(execute=True):
            return action()

    return run


def notes(user, kind: str | None = None) -> list[Notification]:  # noqa: ANN001
    rows = Notification.objects.filter(recipient=user).order_by("-updated_at", "-id")
    if kind is not None:
        rows = rows.filter(kind=kind)
    return list(rows)
