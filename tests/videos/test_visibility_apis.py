"""Hidden and deleted videos answer 404 on every engagement endpoint and leave every list."""

from __future__ import annotations

import pytest

from tests.factories import (
    CommentFactory,
    FollowFactory,
    LikeFactory,
    SaveFactory,
    UserFactory,
    VideoFactory,
)
from tests.support.errors import assert_error_shape
from videos.models import Comment, Like, Privacy, VideoStatus

pytestmark = pytest.mark.django_db

ENDPOINTS = [
    ("post", "/api/videos/{id}/like"),
    ("delete", "/api/videos/{id}/like"),
    ("post", "/api/videos/{id}/save"),
    ("delete", "/api/videos/{id}/save"),
    ("post", "/api/videos/{id}/share"),
    ("get", "/api/videos/{id}/comments"),
    ("post", "/api/videos/{id}/comments"),
]


def call(client, method: str, path: str, video_id: int):  # noqa: ANN001, ANN201
    url = path.format(id=video_id)
    if method == "post" and url.endswith("/comments"):
        return client.post(url, {"body": "hello"}, format="json")
    return getattr(client, method)(url)


@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
def test_private_video_is_404_for_others(client_for, method, path):
    private = VideoFactory(privacy=Privacy.PRIVATE)

    assert_error_shape(call(client_for(UserFactory()), method, path, private.pk), 404)


@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
def test_followers_only_video_is_404_for_non_followers(client_for, method, path):
    video = VideoFactory(privacy=Privacy.FOLLOWERS)

    assert_error_shape(call(client_for(UserFactory()), method, path, video.pk), 404)


@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
def test_processing_video_is_404_for_others(client_for, method, path):
    video = VideoFactory(status=VideoStatus.PROCESSING)

    assert_error_shape(call(client_for(UserFactory()), method, path, video.pk), 404)


def test_followers_only_video_accepts_a_followers_like(client_for, creator):
    video = VideoFactory(owner=creator, privacy=Privacy.FOLLOWERS)
    fan = UserFactory()
    FollowFactory(follower=fan, followee=creator)

    response = client_for(fan).post(f"/api/videos/{video.pk}/like")

    assert response.json() == {"liked": True, "likes": 1}


def test_comment_on_a_private_video_cannot_be_deleted_by_outsiders(client_for):
    comment = CommentFactory(video=VideoFactory(privacy=Privacy.PRIVATE))

    response = client_for(UserFactory()).delete(f"/api/comments/{comment.pk}")

    assert_error_shape(response, 404)
    assert Comment.objects.filter(pk=comment.pk).exists()


def test_private_video_is_absent_from_the_likers_liked_list(client_for):
    fan = UserFactory()
    LikeFactory(user=fan, video=VideoFactory(privacy=Privacy.PRIVATE))

    response = client_for(UserFactory()).get(f"/api/users/{fan.username}/liked")

    assert response.json()["results"] == []


def test_video_made_private_leaves_the_savers_list(client_for):
    fan = UserFactory()
    video = SaveFactory(user=fan).video
    video.privacy = Privacy.PRIVATE
    video.save()

    assert client_for(fan).get("/api/me/saved").json()["results"] == []


def test_deleted_video_comments_endpoint_is_404(client_for, video):
    CommentFactory(video=video)
    video_id = video.pk
    video.delete()

    assert_error_shape(client_for(None).get(f"/api/videos/{video_id}/comments"), 404)


def test_deleted_video_like_endpoint_is_404(client_for, video):
    video_id = video.pk
    video.delete()

    assert_error_shape(client_for(UserFactory()).post(f"/api/videos/{video_id}/like"), 404)


def test_deleted_video_takes_its_likes_and_comments_with_it(video):
    LikeFactory(video=video)
    CommentFactory(video=video)

    video.delete()

    assert not Like.objects.exists()
    assert not Comment.objects.exists()


def test_deleted_video_leaves_the_creators_profile_list(client_for, creator, video):
    video.delete()

    assert client_for(None).get(f"/api/users/{creator.username}/videos").json()["results"] == []


def test_deleted_video_leaves_the_likers_liked_list(client_for, video):
    fan = UserFactory()
    LikeFactory(user=fan, video=video)
    video.delete()

    assert client_for(None).get(f"/api/users/{fan.username}/liked").json()["results"] == []


def test_deleted_video_leaves_the_following_feed(client_for, creator, video):
    fan = UserFactory()
    FollowFactory(follower=fan, followee=creator)
    video.delete()

    assert client_for(fan).get("/api/feed/following").json()["results"] == []


def test_deleted_video_drops_out_of_the_profile_like_total(client_for, creator):
    VideoFactory(owner=creator, like_count=4).delete()

    assert client_for(None).get(f"/api/users/{creator.username}").json()["counts"]["likes"] == 0


def test_only_the_owner_and_staff_see_provenance_and_step_errors(api_client):
    from videos.models import PipelineStep, StepState

    video = VideoFactory(source_url="http://10.0.0.5/private/feed.html")
    PipelineStep.objects.create(
        video=video,
        name="transcribe",
        state=StepState.FAILED,
        attempts=6,
        last_error="POST http://10.0.0.9:8100/v1/transcribe: connection refused",
    )
    url = f"/api/videos/{video.pk}"

    def seen_as(user) -> dict:  # noqa: ANN001
        api_client.force_authenticate(user)
        response = api_client.get(url)
        assert response.status_code == 200
        return response.json()

    for outsider in (None, UserFactory()):
        body = seen_as(outsider)
        assert body["source_url"] is None
        assert body["steps"] == [{"name": "transcribe", "state": "failed"}]
        assert "10.0.0" not in str(body)
    for insider in (video.owner, UserFactory(is_staff=True)):
        body = seen_as(insider)
        assert body["source_url"] == "http://10.0.0.5/private/feed.html"
        assert body["steps"][0]["last_error"].startswith("POST http://10.0.0.9")
        assert body["steps"][0]["attempts"] == 6


def test_the_sql_for_lists_everyone_shares_is_the_anonymous_visitors_rule():
    from django.db import connection
    from django.utils import timezone

    from tiktok.db.sql import table
    from videos.models import Video, VideoStatus
    from videos.visibility import anyone_may_see_sql, visible_videos

    private_owner = UserFactory(is_private=True)
    videos = [
        VideoFactory(),
        VideoFactory(privacy=Privacy.FOLLOWERS),
        VideoFactory(privacy=Privacy.PRIVATE),
        VideoFactory(status=VideoStatus.PROCESSING),
        VideoFactory(owner=private_owner),
        VideoFactory(hidden_at=timezone.now(), hidden_reason="moderator"),
    ]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT v.id FROM {table(Video)} v WHERE {anyone_may_see_sql('v')}")
        by_sql = {row[0] for row in cursor}

    assert by_sql == set(visible_videos(viewer=None).values_list("pk", flat=True))
    assert by_sql == {videos[0].pk}
