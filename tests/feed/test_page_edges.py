"""The For You feed at the edges of real installations: a viewer who has seen the whole
catalogue, a neighbourhood full of videos the viewer may not see, a viewer without a taste in
a catalogue deeper than the trending head, an install whose embedder does not answer."""

from __future__ import annotations

import datetime as dt
import socket

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from feed import state
from feed.aggregates import aggregates_flush
from feed.selectors import feed_page
from feed.services import interactions_record
from feed.trending import trending_refresh
from profiles.models import Block
from tests.factories import UserFactory
from tests.feed.factories import axis, event, near, video_with_vector
from videos.models import Privacy

pytestmark = pytest.mark.django_db


def _ids(page: dict) -> list[int]:
    return [item["id"] for item in page["items"]]


def test_a_viewer_who_has_seen_everything_is_offered_it_again_not_an_empty_feed() -> None:
    # Every first page was empty for the seven days videos stay seen, in every tab, and the
    # web client said "No videos yet".
    videos = {video_with_vector(axis(i)).pk for i in range(3)}
    viewer = UserFactory()
    first = feed_page(viewer=viewer, session_id="tab", cursor=None, limit=8)
    assert set(_ids(first)) == videos and first["next_cursor"] is None
    interactions_record(
        user=viewer,
        session_id="tab",
        events=[event(item["id"], "finish", watch_ms=5000) for item in first["items"]],
    )
    aggregates_flush()
    for session_id in ("tab", "another-tab"):  # a reload keeps its session; a new tab does not
        again = feed_page(viewer=viewer, session_id=session_id, cursor=None, limit=8)
        assert set(_ids(again)) == videos
        assert {item["reason"]["kind"] for item in again["items"]} == {"rewatch"}


def test_rewatching_goes_on_until_the_session_has_been_shown_everything_again() -> None:
    videos = [video_with_vector(axis(i % 8) + 0.01 * i) for i in range(12)]
    viewer = UserFactory()
    interactions_record(
        user=viewer, session_id="earlier", events=[event(v, "impression") for v in videos]
    )
    aggregates_flush()
    served, cursor = [], None
    for _ in range(4):
        page = feed_page(viewer=viewer, session_id="now", cursor=cursor, limit=5)
        served += _ids(page)
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert cursor is None
    assert sorted(served) == sorted(v.pk for v in videos)  # each once, then the end


def test_an_anonymous_reload_after_the_whole_catalogue_is_offered_it_again() -> None:
    videos = {video_with_vector(axis(i)).pk for i in range(3)}
    first = feed_page(viewer=None, session_id="anon-tab", cursor=None, limit=8)
    interactions_record(
        user=None,
        session_id="anon-tab",
        events=[event(item["id"], "impression") for item in first["items"]],
    )
    again = feed_page(viewer=None, session_id="anon-tab", cursor=None, limit=8)
    assert set(_ids(first)) == set(_ids(again)) == videos


def test_a_hidden_or_blocked_video_is_not_offered_again() -> None:
    kept, gone = video_with_vector(axis(0)), video_with_vector(axis(1))
    viewer = UserFactory()
    interactions_record(
        user=viewer, session_id="a", events=[event(v, "impression") for v in (kept, gone)]
    )
    aggregates_flush()
    Block.objects.create(blocker=viewer, blocked=gone.owner)
    assert _ids(feed_page(viewer=viewer, session_id="b", cursor=None, limit=8)) == [kept.pk]


@pytest.mark.parametrize("how", ["blocked", "private"])
def test_a_neighbourhood_full_of_videos_the_viewer_may_not_see_does_not_empty_the_page(
    how: str, settings
) -> None:  # noqa: ANN001
    # The taste search did not check visibility: a blocked (or private) prolific creator's
    # videos filled the nearest candidates, and the personal part of every page was empty.
    settings.FEED_CANDIDATES = 30  # 40 hidden neighbours stand for 300+ in a real catalogue
    viewer, prolific = UserFactory(), UserFactory()
    privacy = Privacy.PRIVATE if how == "private" else Privacy.PUBLIC
    for i in range(40):
        video_with_vector(
            near(axis(0), 1 + i % 7, 0.05 + 0.001 * i), owner=prolific, privacy=privacy
        )
    visible = [video_with_vector(near(axis(0), 1 + i % 7, 0.4 + 0.01 * i)) for i in range(12)]
    for i in range(30):
        video_with_vector(near(axis(4), 5, 0.1 + 0.01 * i))
    if how == "blocked":
        Block.objects.create(blocker=viewer, blocked=prolific)
    interactions_record(user=viewer, session_id="s", events=[event(visible[0], "like")])
    aggregates_flush()
    state.lists_store(trending={}, fresh=[], cold_start=[])  # a niche no list reaches
    page = feed_page(viewer=viewer, session_id="s2", cursor=None, limit=8)
    assert len(set(_ids(page)) & {v.pk for v in visible[1:]}) >= 5
    assert page["next_cursor"] is not None


def test_a_neighbourhood_of_one_prolific_creator_still_gives_a_page_of_several(settings) -> None:  # noqa: ANN001
    # One creator's 40 videos filled the nearest candidates: with nothing else to take, the
    # per-creator cap gave way and seven of eight cards were theirs.
    settings.FEED_CANDIDATES = 30
    viewer, prolific = UserFactory(), UserFactory()
    for i in range(40):
        video_with_vector(near(axis(0), 1 + i % 7, 0.05 + 0.001 * i), owner=prolific)
    others = [video_with_vector(near(axis(0), 1 + i % 7, 0.4 + 0.01 * i)) for i in range(12)]
    interactions_record(user=viewer, session_id="s", events=[event(others[0], "like")])
    aggregates_flush()
    state.lists_store(trending={}, fresh=[], cold_start=[])
    page = feed_page(viewer=viewer, session_id="s2", cursor=None, limit=8)
    owners = [item["owner"]["id"] for item in page["items"]]
    assert len(owners) == 8
    assert owners.count(prolific.pk) <= settings.FEED_MAX_PER_CREATOR


def test_a_viewer_without_a_taste_reaches_past_the_trending_head() -> None:
    # Such a viewer pages through the lists alone: after the 200 videos of the trending head the
    # feed said "all caught up" with the rest of a 260-video catalogue never offered.
    old = timezone.now() - dt.timedelta(days=5)  # no longer fresh
    videos = [
        video_with_vector(near(axis(i % 8), (i + 1) % 8, 0.1 + 0.001 * i), published_at=old)
        for i in range(260)
    ]
    trending_refresh()
    served, cursor = [], None
    for _ in range(10):
        page = feed_page(viewer=None, session_id="anon", cursor=cursor, limit=50)
        served += _ids(page)
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert set(served) == {v.pk for v in videos}


def test_an_embedder_that_does_not_answer_is_not_asked_on_every_page(settings) -> None:  # noqa: ANN001
    # An install with no vectors yet caches no version: each page waited up to 3 s for the
    # embedder again.
    settings.ACTIVE_EMBEDDING_VERSION = ""
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(16)
        settings.EMBEDDER_URL = f"http://127.0.0.1:{silent.getsockname()[1]}"
        client = APIClient()
        for _ in range(3):
            assert client.get("/api/feed", HTTP_X_SESSION_ID="s").status_code == 200
        silent.setblocking(False)
        asked = 0
        while True:
            try:
                connection, _ = silent.accept()
            except BlockingIOError:
                break
            connection.close()
            asked += 1
    assert asked == 1
