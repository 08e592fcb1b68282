"""Like and save: response shapes, idempotency, auth, visibility, emitted interactions."""

from __future__ import annotations

import pytest

from feed.models import Interaction
from tests.factories import LikeFactory, SaveFactory, UserFactory, VideoFactory
from tests.support.errors import assert_error_shape
from videos.models import Like, Privacy, Save, Video

pytestmark = pytest.mark.django_db


def test_like_returns_liked_and_count(client_for, video):
    response = client_for(UserFactory()).post(f"/api/videos/{video.pk}/like")

    assert response.status_code == 200
    assert response.json() == {"liked": True, "likes": 1}


def test_like_stores_a_like_row_and_bumps_counter(client_for, video):
    fan = UserFactory()

    client_for(fan).post(f"/api/videos/{video.pk}/like")

    video.refresh_from_db()
    assert Like.objects.filter(user=fan, video=video).exists()
    assert video.like_count == 1


def test_second_like_is_a_no_op(client_for, video):
    client = client_for(UserFactory())
    client.post(f"/api/videos/{video.pk}/like")

    response = client.post(f"/api/videos/{video.pk}/like")

    assert response.json() == {"liked": True, "likes": 1}
    assert Like.objects.filter(video=video).count() == 1


def test_unlike_removes_the_like_and_decrements(client_for, video):
    client = client_for(UserFactory())
    client.post(f"/api/videos/{video.pk}/like")

    response = client.delete(f"/api/videos/{video.pk}/like")

    assert response.json() == {"liked": False, "likes": 0}
    assert not Like.objects.filter(video=video).exists()


def test_unlike_of_a_video_not_liked_is_a_no_op(client_for, video):
    LikeFactory(video=video)
    Video.objects.filter(pk=video.pk).update(like_count=1)

    response = client_for(UserFactory()).delete(f"/api/videos/{video.pk}/like")

    assert response.json() == {"liked": False, "likes": 1}


def test_like_emits_a_like_interaction(client_for, video):
    fan = UserFactory()

    client_for(fan).post(f"/api/videos/{video.pk}/like")

    assert Interaction.objects.filter(user=fan, video=video, type="like").count() == 1


def test_unlike_emits_an_unlike_interaction(client_for, video):
    fan = UserFactory()
    client = client_for(fan)
    client.post(f"/api/videos/{video.pk}/like")

    client.delete(f"/api/videos/{video.pk}/like")

    assert Interaction.objects.filter(user=fan, video=video, type="unlike").count() == 1


def test_repeated_like_emits_one_interaction(client_for, video):
    fan = UserFactory()
    client = client_for(fan)

    client.post(f"/api/videos/{video.pk}/like")
    client.post(f"/api/videos/{video.pk}/like")

    assert Interaction.objects.filter(user=fan, video=video, type="like").count() == 1


def test_like_interaction_carries_the_session_header(client_for, video):
    client_for(UserFactory()).post(
        f"/api/videos/{video.pk}/like", HTTP_X_SESSION_ID="tab-session-1"
    )

    assert Interaction.objects.get(video=video, type="like").session_id == "tab-session-1"


def test_anonymous_like_is_401_json(client_for, video):
    response = client_for(None).post(f"/api/videos/{video.pk}/like")

    assert_error_shape(response, 401, "not_authenticated")
    assert not Like.objects.exists()


def test_like_of_missing_video_is_404(client_for):
    response = client_for(UserFactory()).post("/api/videos/999999/like")

    assert_error_shape(response, 404, "not_found")


def test_like_of_someone_elses_private_video_is_404(client_for):
    private = VideoFactory(privacy=Privacy.PRIVATE)

    response = client_for(UserFactory()).post(f"/api/videos/{private.pk}/like")

    assert_error_shape(response, 404)
    assert not Like.objects.exists()


def test_owner_can_like_own_private_video(client_for, creator):
    private = VideoFactory(owner=creator, privacy=Privacy.PRIVATE)

    response = client_for(creator).post(f"/api/videos/{private.pk}/like")

    assert response.json() == {"liked": True, "likes": 1}


def test_save_returns_saved_and_count(client_for, video):
    response = client_for(UserFactory()).post(f"/api/videos/{video.pk}/save")

    assert response.status_code == 200
    assert response.json() == {"saved": True, "saves": 1}


def test_second_save_is_a_no_op(client_for, video):
    client = client_for(UserFactory())
    client.post(f"/api/videos/{video.pk}/save")

    response = client.post(f"/api/videos/{video.pk}/save")

    assert response.json() == {"saved": True, "saves": 1}
    assert Save.objects.filter(video=video).count() == 1


def test_unsave_removes_the_save(client_for, video):
    client = client_for(UserFactory())
    client.post(f"/api/videos/{video.pk}/save")

    response = client.delete(f"/api/videos/{video.pk}/save")

    assert response.json() == {"saved": False, "saves": 0}
    assert not Save.objects.exists()


def test_unsave_of_a_video_not_saved_is_a_no_op(client_for, video):
    SaveFactory(video=video)
    Video.objects.filter(pk=video.pk).update(save_count=1)

    response = client_for(UserFactory()).delete(f"/api/videos/{video.pk}/save")

    assert response.json() == {"saved": False, "saves": 1}


def test_save_emits_a_save_interaction(client_for, video):
    fan = UserFactory()

    client_for(fan).post(f"/api/videos/{video.pk}/save")

    assert Interaction.objects.filter(user=fan, video=video, type="save").exists()


def test_unsave_emits_an_unsave_interaction(client_for, video):
    fan = UserFactory()
    client = client_for(fan)
    client.post(f"/api/videos/{video.pk}/save")

    client.delete(f"/api/videos/{video.pk}/save")

    assert Interaction.objects.filter(user=fan, video=video, type="unsave").exists()


def test_anonymous_save_is_401_json(client_for, video):
    response = client_for(None).post(f"/api/videos/{video.pk}/save")

    assert_error_shape(response, 401, "not_authenticated")


def test_counter_never_goes_below_zero(client_for, video):
    LikeFactory(video=video, user=(fan := UserFactory()))  # a like row the counter missed

    response = client_for(fan).delete(f"/api/videos/{video.pk}/like")

    assert response.json() == {"liked": False, "likes": 0}
