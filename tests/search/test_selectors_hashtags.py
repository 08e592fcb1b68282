"""Hashtag search (`hashtags_ranked`): the exact name, then prefixes most used first, then similar
names, page after page in one order; each way of matching reads only what the page needs."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from search.selectors import hashtags_ranked, similar_hashtags_sql
from tests.factories import VideoFactory
from tests.search.conftest import public_hashtag
from videos.models import Hashtag, Privacy, VideoHashtag

pytestmark = pytest.mark.django_db


def _names(q: str, *, offset: int = 0, limit: int = 12) -> list[str]:
    return [item["name"] for item in hashtags_ranked(q=q, offset=offset, limit=limit)]


def _all_pages(q: str, size: int) -> list[str]:
    names: list[str] = []
    while page := _names(q, offset=len(names), limit=size):
        names += page
    return names


def test_pages_follow_one_order_exact_then_prefixes_by_use_then_similar_names():
    for name, count in [
        ("dance", 3),
        ("dancemoves", 900),
        ("dancechallenge", 50),
        ("danceoff", 50),
        ("dancers", 7),
        ("dancee", 1),
        ("tapdance", 400),
        ("linedance", 30),
    ]:
        public_hashtag(name, count)
    Hashtag.objects.create(name="danceunused", video_count=0)
    hidden = Hashtag.objects.create(name="danceprivate")
    VideoHashtag.objects.create(video=VideoFactory(privacy=Privacy.PRIVATE), hashtag=hidden)
    whole = _names("dance", limit=50)
    assert whole[:6] == ["dance", "dancemoves", "dancechallenge", "danceoff", "dancers", "dancee"]
    # the similar names that are no prefix come after every prefix, nearest first
    assert set(whole[6:]) == {"tapdance", "linedance"}
    for size in (1, 2, 3, 5):
        assert _all_pages("dance", size) == whole
    assert "danceunused" not in whole and "danceprivate" not in whole


def _statements(q: str, **page: int) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        _names(q, **page)
    return [query["sql"] for query in queries]


def test_a_prefix_shared_by_many_is_cut_to_the_page_and_similar_names_are_not_read():
    for n in range(30):
        public_hashtag(f"tag{n}", n)
    assert _names("tag", limit=5) == ["tag29", "tag28", "tag27", "tag26", "tag25"]
    assert _names("tag", offset=5, limit=3) == ["tag24", "tag23", "tag22"]
    statements = _statements("tag", offset=5, limit=3)
    prefixes = next(sql for sql in statements if "LIKE" in sql)
    # the prefixes stop at offset + limit rows, and they fill the page: no similar names read
    assert "LIMIT 8)" in prefixes, prefixes
    assert not any("<%" in sql for sql in statements), statements


def test_similar_names_fill_only_the_room_the_prefixes_leave():
    public_hashtag("tag", 5)
    for n in range(6):
        public_hashtag(f"tag{n}", 10 + n)
    for name in ("bigtag", "hashtag", "mytag"):
        public_hashtag(name, 1)
    page = _names("tag", limit=9)
    assert page[:7] == ["tag", "tag5", "tag4", "tag3", "tag2", "tag1", "tag0"]
    assert len(page) == 9 and set(page[7:]) <= {"bigtag", "hashtag", "mytag"}
    similar = next(sql for sql in _statements("tag", limit=9) if "<%" in sql)
    assert similar.rstrip().endswith("LIMIT 2"), similar


def test_one_or_two_characters_are_matched_by_prefix_only():
    public_hashtag("ab", 3)
    public_hashtag("xab", 2)
    assert _names("ab") == ["ab"]
    assert not any("<%" in sql for sql in _statements("ab"))
    assert any("<%" in sql for sql in _statements("abc"))


def test_a_similar_name_only_private_videos_carry_is_skipped_and_the_page_still_fills():
    for name, count in (("linedance", 30), ("tapdance", 40), ("squaredance", 50)):
        public_hashtag(name, count)
    hidden = Hashtag.objects.create(name="bellydance", video_count=90)
    VideoHashtag.objects.create(video=VideoFactory(privacy=Privacy.PRIVATE), hashtag=hidden)
    assert _names("dance", limit=2) == ["squaredance", "tapdance"]
    assert set(_names("dance", limit=10)) == {"squaredance", "tapdance", "linedance"}


def test_similar_names_are_checked_for_anyone_seeing_them_only_until_the_page_is_full():
    """Checked before ranking, a query like `tag4` checked every `tag...` name it resembles
    at 50,000 hashtags to keep the best few (`make bench-hashtags`, `search_*` rows)."""
    for n in range(40):
        public_hashtag(f"zumbadance{n}", n)
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('pg_trgm.word_similarity_threshold', '0.5', false)")
        cursor.execute(
            f"EXPLAIN (ANALYZE, FORMAT JSON) {similar_hashtags_sql(exclude_prefix=False)}",
            ["zumba", "zumba", 3],
        )
        plan = cursor.fetchone()[0]
    plan = plan if isinstance(plan, list) else json.loads(plan)

    def loops_of_checks(node: dict) -> list[int]:
        own = [node["Actual Loops"]] if node.get("Subplan Name", "").startswith("SubPlan") else []
        return own + [n for child in node.get("Plans", []) for n in loops_of_checks(child)]

    checks = loops_of_checks(plan[0]["Plan"])
    assert checks and max(checks) == 3, checks


def test_an_exact_name_leads_even_when_rarely_used():
    public_hashtag("cat", 1)
    for n in range(20):
        public_hashtag(f"cat{n}", 100 + n)
    assert _names("#cat", limit=3) == ["cat", "cat19", "cat18"]
    assert _names("nothingmatches") == []
