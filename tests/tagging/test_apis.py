"""GET /api/tags, /api/tags/{slug}, /api/tags/{slug}/videos."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.pagination import CursorPagination

from tests.factories import (
    TagCategoryFactory,
    TagFactory,
    TagPhraseFactory,
    VideoFactory,
    VideoTagFactory,
)
from videos.models import Privacy, VideoStatus

pytestmark = pytest.mark.django_db


def test_tag_list_counts_only_ready_public_videos(api_client) -> None:  # noqa: ANN001
    category = TagCategoryFactory(slug="animals", name="Animals")
    cats = TagFactory(slug="cats", category=category)
    TagFactory(slug="hidden", is_active=False)
    VideoTagFactory(tag=cats)
    VideoTagFactory(tag=cats, video=VideoFactory(privacy=Privacy.PRIVATE))
    VideoTagFactory(tag=cats, video=VideoFactory(status=VideoStatus.PROCESSING))

    response = api_client.get("/api/tags")

    assert response.status_code == 200
    (row,) = response.json()["results"]
    assert row["slug"] == "cats" and row["video_count"] == 1
    assert row["category"] == {"slug": "animals", "name": "Animals"}


def test_tag_list_counts_are_shared_for_a_minute_and_the_detail_counts_now(api_client) -> None:  # noqa: ANN001
    from django.core.cache import cache

    from tagging import selectors

    cats = TagFactory(slug="cats")
    VideoTagFactory(tag=cats)

    def listed() -> int:
        return api_client.get("/api/tags").json()["results"][0]["video_count"]

    assert listed() == 1
    VideoTagFactory(tag=cats)
    assert listed() == 1  # the cached count, until it expires
    assert api_client.get("/api/tags/cats").json()["video_count"] == 2
    key = cache.make_key(selectors.TAG_COUNTS_CACHE_KEY)
    ttl = cache._cache.get_client(key).ttl(key)
    assert 0 < ttl <= selectors.TAG_COUNTS_CACHE_SECONDS
    cache.delete(selectors.TAG_COUNTS_CACHE_KEY)  # what expiry does
    assert listed() == 2


def test_tag_list_filters_by_category(api_client) -> None:  # noqa: ANN001
    TagFactory(slug="cats", category=TagCategoryFactory(slug="animals"))
    TagFactory(slug="guitar", category=TagCategoryFactory(slug="music"))
    response = api_client.get("/api/tags?category=music")
    assert [row["slug"] for row in response.json()["results"]] == ["guitar"]


def test_tag_detail_includes_phrases(api_client) -> None:  # noqa: ANN001
    tag = TagFactory(slug="cats")
    TagPhraseFactory(tag=tag, text="kitten")
    body = api_client.get("/api/tags/cats").json()
    assert body["slug"] == "cats" and body["phrases"] == ["kitten"]


@pytest.mark.parametrize("path", ["/api/tags/nope", "/api/tags/nope/videos"])
def test_unknown_or_inactive_tag_is_a_json_404(api_client, path) -> None:  # noqa: ANN001
    TagFactory(slug="off", is_active=False)
    for url in (path, path.replace("nope", "off")):
        response = api_client.get(url)
        assert response.status_code == 404
        assert response.json()["error"] == "not_found"


def test_tag_videos_are_ordered_by_score_then_recency_across_pages(api_client) -> None:  # noqa: ANN001
    tag = TagFactory(slug="cats")
    now = timezone.now()
    expected = []
    for score, age_h in [(0.9, 5), (0.7, 1), (0.7, 3), (0.5, 0), (0.3, 2)]:
        video = VideoFactory(published_at=now - timedelta(hours=age_h))
        VideoTagFactory(video=video, tag=tag, score=score)
        expected.append(video.pk)
    VideoTagFactory(tag=tag, video=VideoFactory(privacy=Privacy.PRIVATE), score=1.0)

    seen, url = [], "/api/tags/cats/videos?limit=2"
    while url:
        body = api_client.get(url).json()
        seen += [card["id"] for card in body["results"]]
        url = body["next"]

    assert seen == expected


def test_tag_videos_render_video_cards_with_their_tags(api_client) -> None:  # noqa: ANN001
    tag = TagFactory(slug="cats", name="Cats")
    VideoTagFactory(tag=tag, score=0.61234, source="creator")
    (card,) = api_client.get("/api/tags/cats/videos").json()["results"]
    assert card["tags"] == [{"slug": "cats", "name": "Cats", "score": 0.6123, "source": "creator"}]
    assert "owner" in card and "counts" in card


def test_followers_only_videos_show_to_followers(auth_client, user) -> None:  # noqa: ANN001
    from tests.factories import FollowFactory

    tag = TagFactory(slug="cats")
    video = VideoFactory(privacy=Privacy.FOLLOWERS)
    VideoTagFactory(tag=tag, video=video)
    assert auth_client.get("/api/tags/cats/videos").json()["results"] == []
    FollowFactory(follower=user, followee=video.owner)
    assert [c["id"] for c in auth_client.get("/api/tags/cats/videos").json()["results"]] == [
        video.pk
    ]


def test_tag_videos_of_one_score_page_past_the_cursors_offset_cap(api_client, monkeypatch) -> None:  # noqa: ANN001
    # Creators' own tags all score 0.0: DRF's cursor kept its place by the score plus an offset
    # capped at 1000 (lowered to 5 here), and past it every "next" answered the same page.
    monkeypatch.setattr(CursorPagination, "offset_cutoff", 5)
    tag = TagFactory(slug="cats")
    published = timezone.now()
    videos = [VideoFactory(published_at=published) for _ in range(12)]
    for video in videos:
        VideoTagFactory(video=video, tag=tag, score=0.0)

    seen, url, pages = [], "/api/tags/cats/videos?limit=3", 0
    while url and pages < 10:
        body = api_client.get(url).json()
        seen += [card["id"] for card in body["results"]]
        url, pages = body["next"], pages + 1

    assert seen == sorted((video.pk for video in videos), reverse=True)


def test_a_hand_made_tag_videos_cursor_is_a_400(api_client) -> None:  # noqa: ANN001
    TagFactory(slug="cats")

    response = api_client.get("/api/tags/cats/videos", {"cursor": "cD0wLjU="})

    assert response.status_code == 400
    assert response.json()["error"] == "invalid_cursor"
