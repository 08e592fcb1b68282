"""Hashtag search (`hashtags_ranked`): the exact name, then prefixes most used first, then similar
names, page after page in one order; each way of matching is its own branch of one statement."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from search.selectors import hashtags_ranked
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


def test_a_prefix_shared_by_many_is_cut_to_the_page_in_each_branch():
    for n in range(30):
        public_hashtag(f"tag{n}", n)
    assert _names("tag", limit=5) == ["tag29", "tag28", "tag27", "tag26", "tag25"]
    assert _names("tag", offset=5, limit=3) == ["tag24", "tag23", "tag22"]
    with CaptureQueriesContext(connection) as queries:
        _names("tag", offset=5, limit=3)
    statement = next(query["sql"] for query in queries if "UNION" in query["sql"])
    # every branch stops at offset + limit rows
    assert statement.count("LIMIT 8)") == 3, statement


def test_an_exact_name_leads_even_when_rarely_used():
    public_hashtag("cat", 1)
    for n in range(20):
        public_hashtag(f"cat{n}", 100 + n)
    assert _names("#cat", limit=3) == ["cat", "cat19", "cat18"]
    assert _names("nothingmatches") == []
