"""videos 0015 builds the captions' trigram index concurrently, and builds it whole again over
what a failed build left behind (an index of that name that is not the one wanted)."""

from __future__ import annotations

import pytest
from django.db import connection

from tests.support.migrations import migrate_to, migrate_to_latest

BEFORE = [("videos", "0014_public_counts_owner_lock")]
AFTER = [("videos", "0015_video_caption_search_index")]
INDEX = "videos_video_caption_trgm"


def _index() -> tuple[str, bool] | None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_get_indexdef(i.indexrelid), i.indisvalid FROM pg_index i "
            "JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname = %s",
            [INDEX],
        )
        return cursor.fetchone()


@pytest.mark.django_db(transaction=True)
def test_the_caption_index_is_built_whole_over_a_failed_builds_leftover() -> None:
    try:
        migrate_to(BEFORE)
        assert _index() is None
        with connection.cursor() as cursor:  # what a cancelled build leaves: the name, taken
            cursor.execute(f"CREATE INDEX {INDEX} ON videos_video (id)")

        migrate_to(AFTER)

        definition, valid = _index()
        assert valid
        assert "gin (upper(caption) gin_trgm_ops)" in definition
    finally:
        migrate_to_latest()
