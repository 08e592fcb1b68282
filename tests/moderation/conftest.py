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


@pytest.fixture(autouse=True)
def _reporters_of_any_age(settings):  # noqa: ANN001, ANN202
    """The reporters these tests make were registered a moment ago: they count toward hiding
    an item like established accounts, except in the tests of the age rule, which set it."""
    settings.MODERATION_AUTO_HIDE_MIN_ACCOUNT_AGE_HOURS = 0
