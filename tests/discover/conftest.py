"""Discover tests read the 8-d test embedding version; helpers for challenges."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tests.factories import TEST_EMBEDDING_VERSION, UserFactory


@pytest.fixture(autouse=True)
def _test_embedding_version(settings):  # noqa: ANN001
    settings.ACTIVE_EMBEDDING_VERSION = TEST_EMBEDDING_VERSION
    return TEST_EMBEDDING_VERSION


@pytest.fixture
def operator(db):  # noqa: ANN001
    return UserFactory(is_staff=True)


def hours(n: float) -> dt.timedelta:
    return dt.timedelta(hours=n)


def now() -> dt.datetime:
    return timezone.now()
