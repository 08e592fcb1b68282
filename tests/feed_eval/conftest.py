"""Fixtures for the feed evaluation/benchmark tests: commands that manage their own database."""

from __future__ import annotations

from collections.abc import Iterator

import pytest


@pytest.fixture
def outside_transaction(transactional_db) -> Iterator[None]:  # noqa: ANN001
    """The test database without a wrapping test transaction: the commands under test create,
    migrate and drop their own throwaway databases (CREATE DATABASE cannot run in one)."""
    yield


def row_counts() -> dict[str, int]:
    from django.db import connection

    with connection.cursor() as cursor:
        counts = {}
        for table in ("profiles_user", "videos_video", "videos_videoembedding", "feed_interaction"):
            cursor.execute(f"SELECT count(*) FROM {table}")
            counts[table] = cursor.fetchone()[0]
        return counts
