"""Studio tests post interactions through the feed, which reads the 8-d test embedding version."""

from __future__ import annotations

import pytest

from tests.factories import TEST_EMBEDDING_VERSION


@pytest.fixture(autouse=True)
def _test_embedding_version(settings):  # noqa: ANN001
    settings.ACTIVE_EMBEDDING_VERSION = TEST_EMBEDDING_VERSION
    return TEST_EMBEDDING_VERSION
