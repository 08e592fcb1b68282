"""Fixtures for the engagement and social API tests."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from rest_framework.test import APIClient

from tests.factories import UserFactory, VideoFactory


@pytest.fixture
def client_for() -> Callable:
    """An API client authenticated as the given user (None: anonymous)."""

    def make(user=None) -> APIClient:  # noqa: ANN001
        client = APIClient()
        if user is not None:
            client.force_authenticate(user=user)
        return client

    return make


@pytest.fixture
def creator(db):  # noqa: ANN001
    return UserFactory()


@pytest.fixture
def video(creator):  # noqa: ANN001
    return VideoFactory(owner=creator)
