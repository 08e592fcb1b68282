"""Tagging test fixtures: a fixed embedding version, eager Celery, known tag geometry."""

from __future__ import annotations

import pytest

from tests.factories import TEST_EMBEDDING_VERSION


@pytest.fixture
def test_version(settings):  # noqa: ANN001
    """Read and score with the 8-d test embedding version (no embedder lookup)."""
    settings.ACTIVE_EMBEDDING_VERSION = TEST_EMBEDDING_VERSION
    return TEST_EMBEDDING_VERSION


@pytest.fixture
def celery_eager():
    """Run queued tasks in-process so their outcome can be asserted."""
    from tiktok.celery import app

    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    yield app
    app.conf.task_always_eager = False


@pytest.fixture
def geometry(db, test_version):  # noqa: ANN001
    """Three tags on axes 0, 1, 2 and a background on axes 4..7."""
    from tests.tagging.factories import background_store, tag_on_axis

    background_store()
    return {
        "cats": tag_on_axis("cats", 0, ("cat", "kitten")),
        "dogs": tag_on_axis("dogs", 1, ("dog", "puppy")),
        "cooking": tag_on_axis("cooking", 2, ("cooking",)),
    }
