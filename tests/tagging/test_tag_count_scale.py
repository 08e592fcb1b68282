"""A tag's count of public videos does work in proportion to the videos, not to videos x tagged
videos, whatever work_mem holds. As
COUNT(...) FILTER (WHERE video IN (public videos)) it rescanned the videos once per tagged
video once their ids outgrew work_mem: 5 s for a tag on 200 videos at 300,000 public ones."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from tagging.models import VideoTag
from tests.factories import TagFactory, UserFactory, VideoFactory
from tests.support.plans import rows_processed
from videos.models import Video

pytestmark = pytest.mark.django_db

PUBLIC_VIDEOS = 20_000
TAGGED = 40


def _public_videos(n: int) -> list[int]:
    """n ready public videos, copied in SQL from one made by the factory; their ids."""
    template = VideoFactory()
    columns = [f.column for f in Video._meta.concrete_fields if f.column != "id"]
    varying = {
        "media_key": "md5('mk' || i || '-' || t.id)",
        "content_hash": "md5('ch' || i || '-' || t.id)",
    }
    select = ", ".join(varying.get(c, f't."{c}"') for c in columns)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO videos_video ({', '.join(f'{chr(34)}{c}{chr(34)}' for c in columns)}) "
            f"SELECT {select} FROM videos_video t, generate_series(1, %s) i WHERE t.id = %s "
            "RETURNING id",
            [n, template.pk],
        )
        ids = [row[0] for row in cursor.fetchall()]
        cursor.execute("ANALYZE videos_video")
    return ids


def test_the_tag_count_reads_the_public_videos_once_not_once_per_tagged_video() -> None:
    ids = _public_videos(PUBLIC_VIDEOS)
    tag = TagFactory(slug="few")
    VideoTag.objects.bulk_create(
        VideoTag(video_id=video_id, tag=tag, score=0.5) for video_id in ids[-TAGGED:]
    )
    client = APIClient()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL work_mem = '64kB'")  # the public ids no longer fit in memory
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/api/tags/few")
    assert response.status_code == 200
    assert response.json()["video_count"] == TAGGED
    for query in queries.captured_queries:
        sql = query["sql"]
        if "videos_video" in sql and sql.lstrip().upper().startswith("SELECT"):
            assert rows_processed(sql) <= 3 * PUBLIC_VIDEOS, sql
    user = UserFactory()
    client.force_authenticate(user)
    assert client.get("/api/tags/few/videos").json()["results"]


def test_the_tag_page_reads_the_matching_videos_not_the_catalogue() -> None:
    """The /tag/<word> page (every tag chip links there) found `#word` in captions with a
    regex over every video, OR-ed with the tag's rows under DISTINCT, and again for its count:
    no index could serve it. Now the caption's trigram index can (PostgreSQL picks it once the
    catalogue is large; the plan is asked with full scans priced out)."""
    _public_videos(PUBLIC_VIDEOS)
    needle = _public_videos(30)
    Video.objects.filter(pk__in=needle[:15]).update(caption="found it #Needle today")
    Video.objects.filter(pk__in=needle[15:]).update(caption="not this one #needles")
    tag = TagFactory(slug="needle")
    VideoTag.objects.bulk_create(VideoTag(video_id=pk, tag=tag, score=0.5) for pk in needle[25:])
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE videos_video")
    client = APIClient()
    with CaptureQueriesContext(connection) as queries:
        page = client.get("/tag/needle")
    assert page.status_code == 200
    html = page.content.decode()
    shown = {pk for pk in needle if f"/v/{pk}" in html}
    # 20 videos, one page; the #needles captions are not #needle
    assert shown == set(needle[:15]) | set(needle[25:])
    searches = [q["sql"] for q in queries.captured_queries if "#needle" in q["sql"]]
    assert len(searches) == 2  # the page and its count
    for sql in searches:
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")  # a GIN index is read by bitmap
            cursor.execute("EXPLAIN " + sql)
            plan = "\n".join(row[0] for row in cursor.fetchall())
            cursor.execute("RESET enable_seqscan")
        assert "Bitmap Index Scan on videos_video_caption_trgm" in plan, plan
