"""search 0004: the stored query counts were searcher-days, so they start again from zero and
nothing is suggested until that many different people search it."""

from __future__ import annotations

import pytest
from django.utils import timezone

from search.models import SearchQuery
from tests.support.migrations import migrate_to, migrate_to_latest

BEFORE = [("search", "0003_accent_folding")]
AFTER = [("search", "0004_query_counts_distinct_searchers")]


@pytest.mark.django_db(transaction=True)
def test_stored_searcher_day_counts_start_again_from_zero_and_the_queries_stay() -> None:
    old_query = migrate_to(BEFORE).get_model("search", "SearchQuery")
    old_query.objects.create(query="jane doe 0612", count=3, last_searched_at=timezone.now())
    old_query.objects.create(query="easy pasta", count=40, last_searched_at=timezone.now())

    try:
        migrate_to(AFTER)
        assert dict(SearchQuery.objects.values_list("query", "count")) == {
            "jane doe 0612": 0,
            "easy pasta": 0,
        }
    finally:
        migrate_to_latest()
