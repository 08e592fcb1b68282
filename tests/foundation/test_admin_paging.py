"""The change lists of big tables never count the whole table: unfiltered, a large table is
paged by PostgreSQL's estimate; searched or filtered, only the matches are counted; and a
search is one indexed lookup, never a LIKE over the table. (Asserted on the SQL they run: with
a handful of rows the times say nothing.)"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import LikeFactory, UserFactory, VideoFactory, VideoTagFactory
from tests.support.admin_forms import superuser_client
from tiktok import admin_paging
from videos.models import Video

pytestmark = pytest.mark.django_db

BIG_TABLE_SEARCHES = [
    "/admin/videos/video/?q=alice",
    "/admin/videos/comment/?q=alice",
    "/admin/videos/like/?q=alice",
    "/admin/videos/commentlike/?q=alice",
    "/admin/tagging/videotag/?q=cats",
    "/admin/notifications/notification/?q=alice",
    "/admin/moderation/report/?q=alice",
]


def _page_sql(url: str) -> list[str]:
    client = superuser_client()
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return [query["sql"] for query in queries.captured_queries]


@pytest.mark.parametrize("url", BIG_TABLE_SEARCHES)
def test_a_search_of_a_big_table_counts_only_its_matches(url: str) -> None:
    VideoTagFactory()
    LikeFactory()

    counts = [sql for sql in _page_sql(url) if sql.startswith("SELECT COUNT(*)")]

    assert counts and all("WHERE" in sql for sql in counts), counts


@pytest.mark.parametrize("url", [u for u in BIG_TABLE_SEARCHES if "/video/" not in u])
def test_a_search_of_a_big_table_matches_no_pattern(url: str) -> None:
    VideoTagFactory()

    assert not [sql for sql in _page_sql(url) if " LIKE " in sql]


def test_a_short_word_searches_videos_by_account_only() -> None:
    VideoTagFactory()

    assert not [sql for sql in _page_sql("/admin/videos/video/?q=al") if " LIKE " in sql]
    assert not [sql for sql in _page_sql("/admin/videos/video/?q=@alice") if " LIKE " in sql]


def test_a_filtered_video_list_does_not_count_the_whole_table() -> None:
    VideoFactory()

    sql = _page_sql("/admin/videos/video/?status__exact=ready")

    assert not [q for q in sql if q.startswith("SELECT COUNT(*)") and "WHERE" not in q]


def test_an_unfiltered_list_of_a_large_table_is_paged_by_the_estimate(monkeypatch) -> None:  # noqa: ANN001
    VideoFactory.create_batch(3)
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {connection.ops.quote_name(Video._meta.db_table)}")
    monkeypatch.setattr(admin_paging, "ESTIMATE_ABOVE_ROWS", 2)

    sql = _page_sql("/admin/videos/video/")

    assert not [q for q in sql if "COUNT(" in q], sql
    assert admin_paging.table_rows_estimate(Video) == 3


def test_an_unfiltered_list_of_a_small_table_is_counted_exactly() -> None:
    VideoFactory.create_batch(3)

    page = superuser_client().get("/admin/videos/video/").content.decode()

    assert "3 videos" in page


@pytest.mark.parametrize("typed", ["alice_w", "Alice_W", "@ALICE_W", " alice_w "])
def test_a_search_by_account_name_finds_it_whatever_the_case_typed(typed: str) -> None:
    alice = UserFactory(username="Alice_W")
    hers = VideoFactory(owner=alice)
    VideoFactory(owner=UserFactory(username="alice_wx"))
    client = superuser_client()

    response = client.get("/admin/videos/video/", {"q": typed})

    assert response.status_code == 200
    assert [video.pk for video in response.context["cl"].result_list] == [hers.pk]
