"""A creator's videos, liked and saved lists, and the following feed."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import FollowFactory, LikeFactory, SaveFactory, UserFactory, VideoFactory
from tests.support.errors import assert_error_shape
from videos.models import Privacy, Video, VideoStatus

pytestmark = pytest.mark.django_db


def ids(response) -> list[int]:  # noqa: ANN001
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["results"]]


def test_user_videos_are_cards_newest_first(client_for, creator):
    older = VideoFactory(owner=creator)
    newer = VideoFactory(owner=creator)
    VideoFactory()

    response = client_for(None).get(f"/api/users/{creator.username}/videos")

    assert ids(response) == [newer.pk, older.pk]
    assert response.json()["results"][0]["owner"]["username"] == creator.username


def test_user_videos_hide_private_ones_from_others(client_for, creator):
    VideoFactory(owner=creator, privacy=Privacy.PRIVATE)

    assert ids(client_for(UserFactory()).get(f"/api/users/{creator.username}/videos")) == []


def test_user_videos_show_the_owner_private_and_processing_ones(client_for, creator):
    private = VideoFactory(owner=creator, privacy=Privacy.PRIVATE)
    processing = VideoFactory(owner=creator, status=VideoStatus.PROCESSING)

    response = client_for(creator).get(f"/api/users/{creator.username}/videos")

    assert ids(response) == [processing.pk, private.pk]


def test_user_videos_hide_processing_ones_from_others(client_for, creator):
    VideoFactory(owner=creator, status=VideoStatus.PROCESSING)

    assert ids(client_for(None).get(f"/api/users/{creator.username}/videos")) == []


def test_followers_only_videos_show_to_followers(client_for, creator):
    fan = UserFactory()
    FollowFactory(follower=fan, followee=creator)
    video = VideoFactory(owner=creator, privacy=Privacy.FOLLOWERS)

    assert ids(client_for(fan).get(f"/api/users/{creator.username}/videos")) == [video.pk]


def test_followers_only_videos_hide_from_non_followers(client_for, creator):
    VideoFactory(owner=creator, privacy=Privacy.FOLLOWERS)

    assert ids(client_for(UserFactory()).get(f"/api/users/{creator.username}/videos")) == []


def test_user_videos_page_with_a_cursor(client_for, creator):
    videos = [VideoFactory(owner=creator) for _ in range(5)]
    client = client_for(None)

    first = client.get(f"/api/users/{creator.username}/videos?limit=2").json()
    rest = client.get(first["next"]).json()

    assert [v["id"] for v in first["results"] + rest["results"]] == [
        v.pk for v in reversed(videos)
    ][:4]


def test_liked_list_is_newest_like_first(client_for):
    fan = UserFactory()
    first = LikeFactory(user=fan).video
    second = LikeFactory(user=fan).video

    assert ids(client_for(None).get(f"/api/users/{fan.username}/liked")) == [second.pk, first.pk]


def test_liked_list_hides_videos_the_viewer_may_not_see(client_for):
    fan = UserFactory()
    LikeFactory(user=fan, video=VideoFactory(privacy=Privacy.PRIVATE))

    assert ids(client_for(None).get(f"/api/users/{fan.username}/liked")) == []


def test_saved_list_shows_your_saves(client_for):
    fan = UserFactory()
    saved = SaveFactory(user=fan).video
    SaveFactory()

    assert ids(client_for(fan).get("/api/me/saved")) == [saved.pk]


def test_saved_list_marks_cards_saved(client_for):
    fan = UserFactory()
    SaveFactory(user=fan)

    card = client_for(fan).get("/api/me/saved").json()["results"][0]

    assert card["viewer"]["saved"] is True


def test_saved_list_anonymous_is_401(client_for):
    assert_error_shape(client_for(None).get("/api/me/saved"), 401)


def test_following_feed_shows_followed_creators_newest_first(client_for, creator):
    fan = UserFactory()
    FollowFactory(follower=fan, followee=creator)
    older = VideoFactory(owner=creator)
    newer = VideoFactory(owner=creator)
    VideoFactory()

    assert ids(client_for(fan).get("/api/feed/following")) == [newer.pk, older.pk]


def test_following_feed_puts_a_late_publication_first(client_for, creator):
    """A video uploaded days ago and published now (a long queue, a re-run) is news: it comes
    before a video uploaded and published yesterday, not among days-old ones."""
    fan = UserFactory()
    FollowFactory(follower=fan, followee=creator)
    now = timezone.now()
    yesterday = VideoFactory(owner=creator, published_at=now - timedelta(days=1))
    late = VideoFactory(owner=creator, published_at=now)
    Video.objects.filter(pk=yesterday.pk).update(created_at=now - timedelta(days=1))
    Video.objects.filter(pk=late.pk).update(created_at=now - timedelta(days=3))

    assert ids(client_for(fan).get("/api/feed/following")) == [late.pk, yesterday.pk]


def test_following_feed_pages_by_publication_without_gaps_or_repeats(client_for, creator):
    """Pages of 2 over 5 videos, one never stamped published (older rows), and two published at
    the same moment: every video once, in publication order, and back again."""
    fan = UserFactory()
    FollowFactory(follower=fan, followee=creator)
    now = timezone.now()
    published = [now - timedelta(hours=h) for h in (5, 1, 3, 3)]
    videos = [VideoFactory(owner=creator, published_at=moment) for moment in published]
    unstamped = VideoFactory(owner=creator, published_at=None)
    Video.objects.filter(pk=unstamped.pk).update(created_at=now - timedelta(hours=2))
    for video in videos:  # uploaded in another order than published
        Video.objects.filter(pk=video.pk).update(
            created_at=now - timedelta(days=1, hours=-video.pk)
        )
    expected = [videos[1].pk, unstamped.pk, videos[3].pk, videos[2].pk, videos[0].pk]
    client = client_for(fan)

    seen, url, pages = [], "/api/feed/following?limit=2", []
    while url:
        body = client.get(url).json()
        seen += [item["id"] for item in body["results"]]
        pages.append(body)
        url = body["next"]

    assert seen == expected
    back = client.get(pages[-1]["previous"]).json()
    assert [item["id"] for item in back["results"]] == expected[2:4]


def test_following_feed_refuses_another_viewers_cursor(client_for, creator):
    fan, other = UserFactory(), UserFactory()
    for follower in (fan, other):
        FollowFactory(follower=follower, followee=creator)
    VideoFactory.create_batch(3, owner=creator)
    next_link = client_for(fan).get("/api/feed/following?limit=1").json()["next"]

    assert_error_shape(client_for(other).get(next_link), 400, "invalid_cursor")


def test_following_feed_items_carry_the_following_reason(client_for, creator, video):
    fan = UserFactory()
    FollowFactory(follower=fan, followee=creator)

    item = client_for(fan).get("/api/feed/following").json()["results"][0]

    assert item["reason"] == {"kind": "following", "because": []}
    assert item["viewer"]["following_owner"] is True


def test_following_feed_leaves_out_unready_videos(client_for, creator):
    fan = UserFactory()
    FollowFactory(follower=fan, followee=creator)
    VideoFactory(owner=creator, status=VideoStatus.PROCESSING)

    assert ids(client_for(fan).get("/api/feed/following")) == []


def test_following_feed_includes_followers_only_videos(client_for, creator):
    fan = UserFactory()
    FollowFactory(follower=fan, followee=creator)
    video = VideoFactory(owner=creator, privacy=Privacy.FOLLOWERS)

    assert ids(client_for(fan).get("/api/feed/following")) == [video.pk]


def test_following_feed_leaves_out_private_videos(client_for, creator):
    fan = UserFactory()
    FollowFactory(follower=fan, followee=creator)
    VideoFactory(owner=creator, privacy=Privacy.PRIVATE)

    assert ids(client_for(fan).get("/api/feed/following")) == []


def test_following_feed_anonymous_is_401(client_for):
    assert_error_shape(client_for(None).get("/api/feed/following"), 401, "not_authenticated")


def test_following_feed_pages_with_a_cursor(client_for, creator):
    fan = UserFactory()
    FollowFactory(follower=fan, followee=creator)
    videos = [VideoFactory(owner=creator) for _ in range(3)]
    client = client_for(fan)

    first = client.get("/api/feed/following?limit=2").json()
    second = client.get(first["next"]).json()

    assert [v["id"] for v in first["results"] + second["results"]] == [
        v.pk for v in reversed(videos)
    ]
