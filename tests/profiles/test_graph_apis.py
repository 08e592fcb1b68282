"""Follow and block: responses, idempotency, self-actions, and what a block hides."""

from __future__ import annotations

import pytest

from profiles.models import Block, Follow
from tests.factories import BlockFactory, FollowFactory, UserFactory, VideoFactory
from tests.support.errors import assert_error_shape

pytestmark = pytest.mark.django_db


def test_follow_returns_following_and_follower_count(client_for, creator):
    response = client_for(UserFactory()).post(f"/api/users/{creator.username}/follow")

    assert response.status_code == 200
    assert response.json() == {"following": True, "requested": False, "followers": 1}


def test_follow_stores_the_follow(client_for, creator):
    fan = UserFactory()

    client_for(fan).post(f"/api/users/{creator.username}/follow")

    assert Follow.objects.filter(follower=fan, followee=creator).exists()


def test_second_follow_is_a_no_op(client_for, creator):
    client = client_for(UserFactory())
    client.post(f"/api/users/{creator.username}/follow")

    response = client.post(f"/api/users/{creator.username}/follow")

    assert response.json() == {"following": True, "requested": False, "followers": 1}


def test_unfollow_removes_the_follow(client_for, creator):
    fan = UserFactory()
    FollowFactory(follower=fan, followee=creator)

    response = client_for(fan).delete(f"/api/users/{creator.username}/follow")

    assert response.json() == {"following": False, "requested": False, "followers": 0}
    assert not Follow.objects.exists()


def test_unfollow_when_not_following_is_a_no_op(client_for, creator):
    FollowFactory(followee=creator)

    response = client_for(UserFactory()).delete(f"/api/users/{creator.username}/follow")

    assert response.json() == {"following": False, "requested": False, "followers": 1}


def test_follow_yourself_is_400(client_for, creator):
    response = client_for(creator).post(f"/api/users/{creator.username}/follow")

    assert_error_shape(response, 400, "cannot_follow_self")
    assert not Follow.objects.exists()


def test_follow_of_unknown_user_is_404(client_for):
    response = client_for(UserFactory()).post("/api/users/nobody-here/follow")

    assert_error_shape(response, 404)


def test_anonymous_follow_is_401(client_for, creator):
    response = client_for(None).post(f"/api/users/{creator.username}/follow")

    assert_error_shape(response, 401, "not_authenticated")


def test_follow_of_someone_who_blocked_you_is_404_as_for_no_account(client_for, creator):
    fan = UserFactory()
    BlockFactory(blocker=creator, blocked=fan)

    response = client_for(fan).post(f"/api/users/{creator.username}/follow")

    assert_error_shape(response, 404, "not_found")


def test_follow_of_someone_you_blocked_is_403(client_for, creator):
    fan = UserFactory()
    BlockFactory(blocker=fan, blocked=creator)

    response = client_for(fan).post(f"/api/users/{creator.username}/follow")

    assert_error_shape(response, 403, "blocked")


def test_block_returns_blocked(client_for, creator):
    response = client_for(UserFactory()).post(f"/api/users/{creator.username}/block")

    assert response.status_code == 200
    assert response.json() == {"blocked": True}


def test_block_removes_follows_both_ways(client_for, creator):
    viewer = UserFactory()
    FollowFactory(follower=viewer, followee=creator)
    FollowFactory(follower=creator, followee=viewer)

    client_for(viewer).post(f"/api/users/{creator.username}/block")

    assert not Follow.objects.exists()


def test_second_block_is_a_no_op(client_for, creator):
    client = client_for(UserFactory())
    client.post(f"/api/users/{creator.username}/block")

    response = client.post(f"/api/users/{creator.username}/block")

    assert response.json() == {"blocked": True}
    assert Block.objects.count() == 1


def test_unblock_removes_the_block(client_for, creator):
    viewer = UserFactory()
    BlockFactory(blocker=viewer, blocked=creator)

    response = client_for(viewer).delete(f"/api/users/{creator.username}/block")

    assert response.json() == {"blocked": False}
    assert not Block.objects.exists()


def test_block_yourself_is_400(client_for, creator):
    response = client_for(creator).post(f"/api/users/{creator.username}/block")

    assert_error_shape(response, 400, "cannot_block_self")


def test_blocked_creator_vanishes_from_the_blockers_profile_view(client_for, creator):
    viewer = UserFactory()
    VideoFactory(owner=creator)
    client = client_for(viewer)

    client.post(f"/api/users/{creator.username}/block")

    assert client.get(f"/api/users/{creator.username}/videos").json()["results"] == []


def test_blocked_creators_video_is_404_for_the_blocker(client_for, creator, video):
    viewer = UserFactory()
    BlockFactory(blocker=viewer, blocked=creator)

    response = client_for(viewer).post(f"/api/videos/{video.pk}/like")

    assert_error_shape(response, 404)


def test_blocked_user_cannot_comment_on_the_blockers_video(client_for, creator, video):
    troll = UserFactory()
    BlockFactory(blocker=creator, blocked=troll)

    response = client_for(troll).post(
        f"/api/videos/{video.pk}/comments", {"body": "hi"}, format="json"
    )

    assert_error_shape(response, 404)


def test_unfollow_reaches_a_suspended_account_you_follow(client_for, creator):
    from profiles.services.suspension import user_suspend

    fan = UserFactory()
    FollowFactory(follower=fan, followee=creator)
    user_suspend(user=creator)

    response = client_for(fan).delete(f"/api/users/{creator.username.upper()}/follow")

    assert response.status_code == 200
    assert response.json()["following"] is False
    assert not Follow.objects.filter(follower=fan, followee=creator).exists()


def test_withdrawing_a_request_reaches_a_suspended_account(client_for):
    from profiles.models import FollowRequest
    from profiles.services.suspension import user_suspend

    fan, owner = UserFactory(), UserFactory(is_private=True)
    client_for(fan).post(f"/api/users/{owner.username}/follow")
    user_suspend(user=owner)

    response = client_for(fan).delete(f"/api/users/{owner.username}/follow")

    assert response.status_code == 200
    assert not FollowRequest.objects.filter(requester=fan, target=owner).exists()


def test_unfollowing_a_suspended_account_you_do_not_follow_is_404(client_for, creator):
    from profiles.services.suspension import user_suspend

    user_suspend(user=creator)

    response = client_for(UserFactory()).delete(f"/api/users/{creator.username}/follow")

    assert_error_shape(response, 404, "not_found")
