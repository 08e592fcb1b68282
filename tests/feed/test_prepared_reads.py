"""The statements a feed page and a batch of interactions run every time with the same text are
prepared on the connection (PostgreSQL plans them once); the HNSW search never is (a generic
plan for it is slower than one made for the query vector). Results are the same either way."""

from __future__ import annotations

import pytest
from django.db import connection

from feed import candidates
from feed.aggregates import aggregates_flush
from feed.candidates import facts_read, viewer_context
from feed.selectors import feed_page
from feed.services import interactions_record
from tests.factories import TEST_EMBEDDING_VERSION, UserFactory
from tests.feed.factories import cluster, event
from tiktok.db.binary import binary_rows

pytestmark = pytest.mark.django_db


def _prepared() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] for row in cursor.fetchall()]


def test_a_page_prepares_its_context_and_facts_statements_but_not_the_search():
    user = UserFactory()
    videos = cluster(0, 12)
    interactions_record(user=user, session_id="s", events=[event(videos[0], "like")])
    aggregates_flush()

    page = feed_page(viewer=user, session_id="s", cursor=None, limit=5)

    assert page["items"]
    statements = _prepared()
    assert any("positive_counts" in statement for statement in statements)  # viewer context
    assert any("duplicate_of_id IS NULL" in statement for statement in statements)  # facts
    assert any("duration_s" in statement for statement in statements)  # interaction facts
    assert not any("<#>" in statement for statement in statements)  # the HNSW search


def test_prepared_reads_give_what_unprepared_ones_give(monkeypatch):
    user, other = UserFactory(), UserFactory()
    videos = cluster(0, 6)
    interactions_record(user=user, session_id="s", events=[event(videos[0], "like")])
    interactions_record(
        user=other, session_id="o", events=[event(videos[0], "like"), event(videos[1], "like")]
    )
    aggregates_flush()
    ids = [video.pk for video in videos]

    def read() -> tuple[dict, frozenset]:
        facts = facts_read(viewer=user, video_ids=ids, embedding_version=TEST_EMBEDDING_VERSION)
        context = viewer_context(
            user_id=user.pk,
            embedding_version=TEST_EMBEDDING_VERSION,
            recent_positives=[videos[0].pk],
            coengagement_limit=10,
        )
        rows = {
            video_id: (row.owner, row.likes, row.counters, row.vector.tolist())
            for video_id, row in facts.items()
        }
        return rows, frozenset(context.coengaged.items()) | frozenset(context.liked_tags)

    # More runs than the five custom plans PostgreSQL makes before it weighs a generic one.
    prepared = [read() for _ in range(7)]
    monkeypatch.setattr(
        candidates,
        "binary_rows",
        lambda statement, params, prepare=False: binary_rows(statement, params),
    )
    unprepared = read()

    assert set(unprepared[0]) == set(ids)
    assert unprepared[1]  # the co-engaged video was read
    assert all(run == unprepared for run in prepared)
