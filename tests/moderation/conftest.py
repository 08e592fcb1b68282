"""Moderation fixtures: a moderator (superuser) signed in to the admin."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.factories import UserFactory


@pytest.fixture
def moderator(db):  # noqa: ANN001, ANN201
    return UserFactory(is_staff=True, is_superuser=True)


@pytest.fixture
def admin_client(moderator) -> Client:  # noqa: ANN001
    client = Client()
    client.force_login(moderator)
    return client
