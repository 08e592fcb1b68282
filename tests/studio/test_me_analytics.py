"""Creator analytics: counters, watch statistics from interactions, follower growth."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from feed.models import Interaction
from profiles.models import Follow
from profiles.services.suspension import user_suspend
from tests.factories import FollowFactory, UserFactory, VideoFactory
from tests.support.errors import assert_error_shape

pytestmark = pytest.mark.django_db


def interaction(video, type: str, watch_ms: int = 0) -> Interaction:  # noqa: ANN001, A002
    return Interaction.objects.create(
        event_id=uuid.uuid4(), user=UserFactory(), video=video, type=type, watch_ms=watch_ms
    )


def analytics(client_for, user) -> dict:  # noqa: ANN001
    response = client_for(user).get("/api/me/analytics")
    assert response.status_code == 200, response.content
    return response.json()


def test_analytics_report_counters_per_video(client_for, creator):
    video = VideoFactory(
        owner=creator, view_count=10, like_count=4, comment_count=3, save_count=2, share_count=1
    )

    row = analytics(client_for, creator)["videos"][0]

    assert row["id"] == video.pk
    assert (row["views"], row["likes"], row["comments"], row["saves"], row["shares"]) == (
        10,
        4,
        3,
        2,
        1,
    )


def test_analytics_totals_sum_all_videos(client_for, creator):
    VideoFactory(owner=creator, like_count=4)
    VideoFactory(owner=creator, like_count=6)

    totals = analytics(client_for, creator)["totals"]

    assert totals["likes"] == 10
    assert totals["videos"] == 2


def test_analytics_leave_out_other_creators_videos(client_for, creator):
    VideoFactory(like_count=99)

    assert analytics(client_for, creator)["videos"] == []


def test_analytics_average_watch_time_and_completion_rate(client_for, creator, video):
    for _ in range(4):
        interaction(video, "play")
    interaction(video, "finish")
    interaction(video, "pause", watch_ms=3000)
    interaction(video, "skip", watch_ms=1000)

    row = analytics(client_for, creator)["videos"][0]

    assert row["plays"] == 4
    assert row["avg_watch_ms"] == 2000
    assert row["completion_rate"] == 0.25


def test_analytics_impressions_are_counted(client_for, creator, video):
    interaction(video, "impression")
    interaction(video, "impression")

    assert analytics(client_for, creator)["videos"][0]["impressions"] == 2


def test_analytics_without_plays_have_no_rates(client_for, creator, video):
    row = analytics(client_for, creator)["videos"][0]

    assert row["completion_rate"] is None
    assert row["avg_watch_ms"] is None


def test_analytics_followers_gained_by_window(client_for, creator):
    FollowFactory(followee=creator)
    mid = FollowFactory(followee=creator)
    old = FollowFactory(followee=creator)
    now = timezone.now()
    Follow.objects.filter(pk=mid.pk).update(created_at=now - timedelta(days=10))
    Follow.objects.filter(pk=old.pk).update(created_at=now - timedelta(days=40))

    followers = analytics(client_for, creator)["followers"]

    assert followers == {"total": 3, "gained_7d": 1, "gained_28d": 2}
    # a suspended follower is counted nowhere, as the followers list does not show them
    user_suspend(user=FollowFactory(followee=creator).follower)
    followers = analytics(client_for, creator)["followers"]
    assert followers == {"total": 3, "gained_7d": 1, "gained_28d": 2}


def test_analytics_anonymous_is_401(client_for):
    assert_error_shape(client_for(None).get("/api/me/analytics"), 401)


def test_analytics_watch_time_counts_where_each_watch_ended_once(client_for, creator, video):
    # A finish and a rewatch carry running totals: one view of 45 s reports 20 s at the finish,
    # 40 s at the rewatch and 45 s at the pause. Counted once, as the studio does.
    viewer = UserFactory()
    for kind, ms in (("play", 0), ("finish", 20000), ("rewatch", 40000), ("pause", 45000)):
        Interaction.objects.create(
            event_id=uuid.uuid4(), user=viewer, video=video, type=kind, watch_ms=ms
        )
    body = analytics(client_for, creator)
    assert body["videos"][0]["avg_watch_ms"] == 45000
    assert body["totals"]["avg_watch_ms"] == 45000


def test_analytics_list_the_newest_videos_and_total_them_all(client_for, creator, monkeypatch):  # noqa: ANN001
    import studio.analytics

    monkeypatch.setattr(studio.analytics, "MAX_ANALYTICS_VIDEOS", 2)
    videos = [VideoFactory(owner=creator, like_count=1) for _ in range(3)]
    for video in videos:
        interaction(video, "play")
    body = analytics(client_for, creator)
    assert [row["id"] for row in body["videos"]] == [videos[2].pk, videos[1].pk]
    assert (body["totals"]["videos"], body["totals"]["likes"], body["totals"]["plays"]) == (3, 3, 3)
