"""The studio API: the signed-in creator's overview and per-video drill-down from real rollups
of events posted through /api/interactions; only the owner sees a video's analytics."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.utils import timezone

from studio.rollups import rollup_day, rollup_recent_hours
from tests.factories import FollowFactory, UserFactory, VideoFactory
from tests.support.errors import assert_error_shape
from videos.models import Privacy

pytestmark = pytest.mark.django_db


def today() -> dt.date:
    return timezone.now().astimezone(dt.UTC).date()


def post(client, video, *events, source: str = "for_you") -> None:  # noqa: ANN001
    body = {
        "events": [
            {"event_id": str(uuid.uuid4()), "video_id": video.pk, "type": kind, "watch_ms": ms}
            for kind, ms in events
        ],
        "traffic_source": source,
    }
    response = client.post("/api/interactions", body, format="json")
    assert response.status_code == 202, response.content
    assert response.json()["accepted"] == len(events), response.content


def roll_up() -> None:
    rollup_day(day=today())
    rollup_recent_hours()


def test_overview_totals_series_sources_and_top_videos(client_for, creator):  # noqa: ANN001
    first, second = VideoFactory(owner=creator), VideoFactory(owner=creator)
    fan = UserFactory()
    anonymous = client_for(None)
    anonymous.credentials(HTTP_X_SESSION_ID="anonymous-phone")
    post(client_for(fan), first, ("play", 0), ("pause", 8000), source="search")
    post(anonymous, first, ("play", 0), ("finish", 20000), ("pause", 30000))
    post(anonymous, second, ("play", 0), ("skip", 1000), source="profile")
    roll_up()

    body = client_for(creator).get("/api/studio/overview").json()
    totals = body["totals"]
    assert totals["views"] == 3
    assert totals["unique_viewers"] == 2  # the fan, and one anonymous client session
    assert totals["watch_ms"] == 8000 + 30000 + 1000
    assert totals["avg_watch_ms"] == 13000
    assert totals["completion_rate"] == round(1 / 3, 4)
    assert body["traffic_sources"] == {"for_you": 1, "search": 1, "profile": 1}
    assert body["series"]["views"][-1] == 3 and sum(body["series"]["views"]) == 3
    # The anonymous session played both videos: one viewer that day, as in the totals.
    assert body["series"]["unique_viewers"][-1] == 2
    assert body["series"]["days"][-1] == today().isoformat()
    assert len(body["series"]["days"]) == body["days"] == 28
    assert [row["id"] for row in body["top_videos"]] == [first.pk, second.pk]
    assert body["previous_totals"]["views"] == 0
    assert body["changes"]["views"] is None
    assert sum(body["last_hours"]["views"]) == 3


def test_overview_compares_with_the_previous_period(client_for, creator):  # noqa: ANN001
    from studio.models import VideoDay

    video = VideoFactory(owner=creator)
    day = today()
    VideoDay.objects.create(video=video, creator=creator, day=day, views=30)
    VideoDay.objects.create(video=video, creator=creator, day=day - dt.timedelta(days=7), views=20)
    params = {"from": (day - dt.timedelta(days=6)).isoformat(), "to": day.isoformat()}
    body = client_for(creator).get("/api/studio/overview", params).json()
    assert (body["totals"]["views"], body["previous_totals"]["views"]) == (30, 20)
    assert body["changes"]["views"] == 0.5
    assert body["previous_range"]["to"] == (day - dt.timedelta(days=7)).isoformat()


def test_followers_gained_and_lost_per_day(client_for, creator, django_capture_on_commit_callbacks):  # noqa: ANN001
    from profiles.services.graph import follow_create, follow_delete

    fans = [UserFactory() for _ in range(3)]
    with django_capture_on_commit_callbacks(execute=True):
        for fan in fans:
            follow_create(follower=fan, followee=creator)
    with django_capture_on_commit_callbacks(execute=True):
        follow_delete(follower=fans[0], followee=creator)
    roll_up()
    body = client_for(creator).get("/api/studio/overview").json()
    assert body["series"]["followers_gained"][-1] == 3
    assert body["series"]["followers_lost"][-1] == 1
    assert body["totals"]["followers_net"] == 2
    assert body["followers"]["total"] == 2


def test_a_follow_right_after_watching_counts_for_that_video(
    client_for, creator, django_capture_on_commit_callbacks
):  # noqa: ANN001
    from profiles.services.graph import follow_create

    watched, other = VideoFactory(owner=creator), VideoFactory(owner=creator)
    fan = UserFactory()
    post(client_for(fan), other, ("play", 0))
    post(client_for(fan), watched, ("play", 0), ("pause", 5000))
    with django_capture_on_commit_callbacks(execute=True):
        follow_create(follower=fan, followee=creator)
    roll_up()
    body = client_for(creator).get(f"/api/studio/videos/{watched.pk}").json()
    assert body["totals"]["follows"] == 1
    other_body = client_for(creator).get(f"/api/studio/videos/{other.pk}").json()
    assert other_body["totals"]["follows"] == 0


def test_a_follow_logged_before_the_watch_batch_arrives_counts_for_the_video_playing(
    client_for, creator, django_capture_on_commit_callbacks
):  # noqa: ANN001
    # Clients send events in batches (the web client every 4 s): Follow tapped 2 s into a
    # video is logged before that video's play; another video of the creator was watched
    # 10 minutes earlier.
    from feed.models import Interaction
    from profiles.services.graph import follow_create
    from studio.models import FollowChange

    playing, earlier = VideoFactory(owner=creator), VideoFactory(owner=creator)
    fan = UserFactory()
    post(client_for(fan), earlier, ("play", 0), ("pause", 9000))
    with django_capture_on_commit_callbacks(execute=True):
        follow_create(follower=fan, followee=creator)
    followed_at = FollowChange.objects.get(follower_id=fan.pk).created_at
    Interaction.objects.filter(user=fan).update(created_at=followed_at - dt.timedelta(minutes=10))
    post(client_for(fan), playing, ("play", 0), ("pause", 2000))
    Interaction.objects.filter(user=fan, video=playing).update(
        created_at=followed_at + dt.timedelta(seconds=2)
    )
    roll_up()
    assert (
        client_for(creator).get(f"/api/studio/videos/{playing.pk}").json()["totals"]["follows"] == 1
    )
    assert (
        client_for(creator).get(f"/api/studio/videos/{earlier.pk}").json()["totals"]["follows"] == 0
    )


def test_video_drill_down_retention_curve(client_for, creator):  # noqa: ANN001
    video = VideoFactory(owner=creator, duration_s=10.0)
    for watched_ms in (0, 2500, 9999, 10000, 35000):  # the last one looped
        post(client_for(None), video, ("play", 0), ("pause", watched_ms))
    roll_up()
    from studio.models import VideoDay

    assert VideoDay.objects.get(video=video).retention == [1, 0, 1, 0, 0, 0, 0, 0, 0, 1, 2]
    body = client_for(creator).get(f"/api/studio/videos/{video.pk}").json()
    assert body["retention"]["reports"] == 5
    assert body["retention"]["curve"] == [1.0, 0.8, 0.8] + [0.6] * 7 + [0.4]
    assert body["traffic_sources"] == {"for_you": 5}
    assert body["series"]["views"][-1] == 5


def test_views_of_private_videos_by_followers_and_the_owner_count(client_for, creator):  # noqa: ANN001
    video = VideoFactory(owner=creator, privacy=Privacy.FOLLOWERS)
    hidden = VideoFactory(owner=creator, privacy=Privacy.PRIVATE)
    follower = UserFactory()
    FollowFactory(follower=follower, followee=creator)
    post(client_for(follower), video, ("play", 0), ("pause", 3000), source="following")
    post(client_for(creator), hidden, ("play", 0), source="profile")
    roll_up()
    body = client_for(creator).get("/api/studio/overview").json()
    assert body["totals"]["views"] == 2
    assert body["traffic_sources"] == {"following": 1, "profile": 1}
    assert {row["id"] for row in body["top_videos"]} == {video.pk, hidden.pk}


def test_only_the_creator_sees_a_videos_analytics(client_for, creator):  # noqa: ANN001
    video = VideoFactory(owner=creator)
    stranger = UserFactory()
    # another's video answers as one that does not exist (its existence is not told)
    private = VideoFactory(owner=creator, privacy=Privacy.PRIVATE)
    for pk in (video.pk, private.pk):
        assert_error_shape(
            client_for(stranger).get(f"/api/studio/videos/{pk}"), 404, "video_not_found"
        )
    assert_error_shape(client_for(None).get(f"/api/studio/videos/{video.pk}"), 401)
    assert_error_shape(client_for(None).get("/api/studio/overview"), 401)
    assert_error_shape(client_for(creator).get("/api/studio/videos/999999999"), 404)
    assert client_for(creator).get(f"/api/studio/videos/{video.pk}").status_code == 200


def test_overview_shows_only_the_signed_in_creators_videos(client_for, creator):  # noqa: ANN001
    mine, theirs = VideoFactory(owner=creator), VideoFactory()
    post(client_for(None), mine, ("play", 0))
    post(client_for(None), theirs, ("play", 0), ("play", 0))
    roll_up()
    body = client_for(creator).get("/api/studio/overview").json()
    assert body["totals"]["views"] == 1
    assert [row["id"] for row in body["top_videos"]] == [mine.pk]


def test_a_range_longer_than_the_retained_window_is_400_naming_the_limit(
    client_for, creator, settings
):  # noqa: ANN001
    settings.STUDIO_RETAIN_DAYS = 30
    start = (today() - dt.timedelta(days=30)).isoformat()
    response = client_for(creator).get("/api/studio/overview", {"from": start})
    error = assert_error_shape(response, 400, "range_too_long")
    assert "30 days" in error["detail"] and "from" in error["fields"]
    video = VideoFactory(owner=creator)
    response = client_for(creator).get(f"/api/studio/videos/{video.pk}", {"from": start})
    assert_error_shape(response, 400, "range_too_long")


def test_a_range_before_the_kept_years_is_400_not_a_500(client_for, creator):  # noqa: ANN001
    params = {"from": "0001-01-01", "to": "0001-01-01"}
    error = assert_error_shape(
        client_for(creator).get("/api/studio/overview", params), 400, "range_too_old"
    )
    assert "from" in error["fields"]


def test_malformed_dates_are_400_naming_the_field(client_for, creator):  # noqa: ANN001
    error = assert_error_shape(
        client_for(creator).get("/api/studio/overview", {"to": "last week"}), 400, "invalid_to"
    )
    assert "to" in error["fields"]


def test_following_and_unfollowing_over_and_over_counts_each_follower_once(
    client_for, creator, django_capture_on_commit_callbacks
):  # noqa: ANN001
    # One account toggling its follow 30 times after watching a video is one follower gained
    # (and lost, as it ended unfollowed) and one follow of that video, not thirty.
    from profiles.services.graph import follow_create, follow_delete

    watched, toggler = VideoFactory(owner=creator), UserFactory()
    post(client_for(toggler), watched, ("play", 0), ("pause", 5000))
    for _ in range(30):
        with django_capture_on_commit_callbacks(execute=True):
            follow_create(follower=toggler, followee=creator)
        with django_capture_on_commit_callbacks(execute=True):
            follow_delete(follower=toggler, followee=creator)
    roll_up()
    body = client_for(creator).get("/api/studio/overview").json()
    assert body["series"]["followers_gained"][-1] == 1
    assert body["series"]["followers_lost"][-1] == 1
    assert body["totals"]["followers_net"] == 0
    video_body = client_for(creator).get(f"/api/studio/videos/{watched.pk}").json()
    assert video_body["totals"]["follows"] == 1


def test_a_follower_who_deletes_their_account_is_a_follower_lost(
    client_for, creator, django_capture_on_commit_callbacks
):  # noqa: ANN001
    from profiles.services.graph import follow_create
    from studio.models import FollowChange
    from studio.rollups import studio_rebuild

    fan, stays = UserFactory(), UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        follow_create(follower=fan, followee=creator)
        follow_create(follower=stays, followee=creator)
    five_days_ago = timezone.now() - dt.timedelta(days=5)
    FollowChange.objects.update(created_at=five_days_ago)
    rollup_day(day=five_days_ago.astimezone(dt.UTC).date())
    fan_id = fan.pk
    fan.delete()  # its Follow row goes by CASCADE, which sends no unfollow
    # A rebuild of the whole range must neither erase the gain nor the loss.
    studio_rebuild(since=today() - dt.timedelta(days=6))
    body = client_for(creator).get("/api/studio/overview").json()
    assert body["series"]["followers_gained"][-6] == 2
    assert body["series"]["followers_lost"][-1] == 1
    assert body["totals"]["followers_net"] == 1
    assert body["followers"]["total"] == 1
    # Nothing in the log names the deleted account any more.
    assert not FollowChange.objects.filter(follower_id=fan_id).exists()
    assert FollowChange.objects.filter(follower_id__lt=0).count() == 2  # its +1 and its -1
