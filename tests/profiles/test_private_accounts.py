"""Private accounts: following is a request the owner approves or denies; until then the
requester sees the header only; followers and following lists; removing a follower."""

from __future__ import annotations

import pytest

from profiles.models import Follow, FollowRequest, User
from profiles.services.graph import account_privacy_set, follow_create, follow_request_approve
from profiles.services.suspension import user_reinstate, user_suspend
from tests.factories import BlockFactory, FollowFactory, LikeFactory, UserFactory, VideoFactory
from tests.support.errors import assert_error_shape
from videos.models import Privacy
from videos.visibility import visible_videos

pytestmark = pytest.mark.django_db


@pytest.fixture
def private(db):  # noqa: ANN001, ANN201
    return UserFactory(is_private=True)


def _ids(response) -> set[int]:  # noqa: ANN001
    return {item["id"] for item in response.json()["results"]}


def test_following_a_private_account_creates_a_request_not_a_follow(client_for, private):
    fan = UserFactory()

    response = client_for(fan).post(f"/api/users/{private.username}/follow")

    assert response.status_code == 200
    assert response.json() == {"following": False, "requested": True, "followers": 0}
    assert not Follow.objects.filter(follower=fan, followee=private).exists()
    assert FollowRequest.objects.filter(requester=fan, target=private).count() == 1


def test_asking_twice_keeps_one_request(client_for, private):
    client = client_for(UserFactory())
    client.post(f"/api/users/{private.username}/follow")
    client.post(f"/api/users/{private.username}/follow")

    assert FollowRequest.objects.filter(target=private).count() == 1


def test_requester_sees_the_header_only(client_for, private):
    fan = UserFactory()
    VideoFactory(owner=private)
    client = client_for(fan)
    client.post(f"/api/users/{private.username}/follow")

    profile = client.get(f"/api/users/{private.username}").json()
    assert profile["locked"] is True and profile["is_private"] is True
    assert profile["viewer"]["requested"] is True and profile["viewer"]["following"] is False
    assert profile["username"] == private.username
    for path in ("videos", "liked", "followers", "following"):
        response = client.get(f"/api/users/{private.username}/{path}")
        assert_error_shape(response, 403, "private_account")


def test_anonymous_visitor_sees_a_private_accounts_header_only(client_for, private):
    VideoFactory(owner=private)
    client = client_for(None)

    assert client.get(f"/api/users/{private.username}").json()["locked"] is True
    assert client.get(f"/api/users/{private.username}/videos").status_code == 403


def test_private_accounts_public_videos_are_hidden_from_non_followers_everywhere(private):
    video = VideoFactory(owner=private, privacy=Privacy.PUBLIC)
    stranger = UserFactory()

    assert not visible_videos(viewer=None).filter(pk=video.pk).exists()
    assert not visible_videos(viewer=stranger).filter(pk=video.pk).exists()
    FollowFactory(follower=stranger, followee=private)
    assert visible_videos(viewer=stranger).filter(pk=video.pk).exists()


def test_private_videos_stay_private_even_for_approved_followers(private):
    video = VideoFactory(owner=private, privacy=Privacy.PRIVATE)
    fan = UserFactory()
    FollowFactory(follower=fan, followee=private)

    assert not visible_videos(viewer=fan).filter(pk=video.pk).exists()


def test_approving_a_request_lets_the_requester_see_followers_only_videos(client_for, private):
    fan = UserFactory()
    video = VideoFactory(owner=private, privacy=Privacy.FOLLOWERS)
    client_for(fan).post(f"/api/users/{private.username}/follow")
    # a suspended requester and a suspended follower are in neither count, as in the lists
    waiting, follower = UserFactory(), UserFactory()
    for someone in (waiting, follower):
        client_for(someone).post(f"/api/users/{private.username}/follow")
    follow_request_approve(target=private, requester=follower)
    user_suspend(user=waiting)
    user_suspend(user=follower)
    assert client_for(fan).get(f"/api/videos/{video.pk}").status_code == 404

    response = client_for(private).post(f"/api/me/follow-requests/{fan.username}/approve")

    assert response.status_code == 200
    assert response.json() == {"approved": True, "pending": 0, "followers": 1}
    assert client_for(fan).get(f"/api/videos/{video.pk}").status_code == 200
    assert video.pk in _ids(client_for(fan).get(f"/api/users/{private.username}/videos"))
    assert client_for(fan).get(f"/api/users/{private.username}").json()["locked"] is False


def test_denied_requester_stays_locked_out_and_may_ask_again(client_for, private):
    fan = UserFactory()
    video = VideoFactory(owner=private, privacy=Privacy.FOLLOWERS)
    client_for(fan).post(f"/api/users/{private.username}/follow")

    response = client_for(private).post(f"/api/me/follow-requests/{fan.username}/deny")

    assert response.status_code == 200 and response.json()["approved"] is False
    assert not FollowRequest.objects.exists() and not Follow.objects.exists()
    assert client_for(fan).get(f"/api/videos/{video.pk}").status_code == 404
    assert client_for(fan).get(f"/api/users/{private.username}/videos").status_code == 403
    again = client_for(fan).post(f"/api/users/{private.username}/follow")
    assert again.json()["requested"] is True


def test_approving_or_denying_without_a_request_is_404(client_for, private):
    nobody = UserFactory()
    for decision in ("approve", "deny"):
        response = client_for(private).post(f"/api/me/follow-requests/{nobody.username}/{decision}")
        assert_error_shape(response, 404, "no_follow_request")
    assert not Follow.objects.exists()


def test_only_the_target_can_approve(client_for, private):
    fan, other = UserFactory(), UserFactory()
    client_for(fan).post(f"/api/users/{private.username}/follow")

    response = client_for(other).post(f"/api/me/follow-requests/{fan.username}/approve")

    assert response.status_code == 404
    assert not Follow.objects.exists()


def test_anonymous_cannot_follow_or_see_requests(client_for, private):
    client = client_for(None)

    assert client.post(f"/api/users/{private.username}/follow").status_code == 401
    assert client.get("/api/me/follow-requests").status_code == 401
    assert client.post(f"/api/me/follow-requests/{private.username}/approve").status_code == 401


def test_withdrawing_a_request(client_for, private):
    fan = UserFactory()
    client_for(fan).post(f"/api/users/{private.username}/follow")

    response = client_for(fan).delete(f"/api/users/{private.username}/follow")

    assert response.json()["requested"] is False
    assert not FollowRequest.objects.exists()


def test_requests_inbox_lists_pending_requesters_newest_first(client_for, private):
    first, second = UserFactory(), UserFactory()
    client_for(first).post(f"/api/users/{private.username}/follow")
    client_for(second).post(f"/api/users/{private.username}/follow")

    results = client_for(private).get("/api/me/follow-requests").json()["results"]

    assert [r["username"] for r in results] == [second.username, first.username]


def test_going_public_approves_every_pending_request(client_for, private):
    fans = [UserFactory(), UserFactory()]
    for fan in fans:
        client_for(fan).post(f"/api/users/{private.username}/follow")

    account_privacy_set(user=private, private=False)

    assert set(Follow.objects.filter(followee=private).values_list("follower", flat=True)) == {
        fan.pk for fan in fans
    }
    assert not FollowRequest.objects.exists()


def test_going_private_keeps_existing_followers(client_for):
    owner = UserFactory()
    fan = UserFactory()
    FollowFactory(follower=fan, followee=owner)
    video = VideoFactory(owner=owner)

    account_privacy_set(user=owner, private=True)

    assert visible_videos(viewer=fan).filter(pk=video.pk).exists()
    assert not visible_videos(viewer=UserFactory()).filter(pk=video.pk).exists()


def test_block_removes_a_pending_request(client_for, private):
    fan = UserFactory()
    client_for(fan).post(f"/api/users/{private.username}/follow")

    client_for(private).post(f"/api/users/{fan.username}/block")

    assert not FollowRequest.objects.exists()


def test_blocked_user_cannot_request(client_for, private):
    fan = UserFactory()
    BlockFactory(blocker=private, blocked=fan)

    response = client_for(fan).post(f"/api/users/{private.username}/follow")

    assert response.status_code == 404
    assert not FollowRequest.objects.exists()


def test_followers_and_following_lists(client_for):
    creator, fan, other = UserFactory(), UserFactory(), UserFactory()
    FollowFactory(follower=fan, followee=creator)
    FollowFactory(follower=other, followee=creator)
    FollowFactory(follower=creator, followee=other)
    client = client_for(None)

    followers = client.get(f"/api/users/{creator.username}/followers").json()["results"]
    following = client.get(f"/api/users/{creator.username}/following").json()["results"]

    assert {f["username"] for f in followers} == {fan.username, other.username}
    assert [f["username"] for f in following] == [other.username]
    assert set(followers[0]) == {"id", "username", "display_name", "avatar_url", "since"}


def test_lists_leave_out_people_across_a_block(client_for):
    creator, fan, viewer = UserFactory(), UserFactory(), UserFactory()
    FollowFactory(follower=fan, followee=creator)
    BlockFactory(blocker=viewer, blocked=fan)

    results = client_for(viewer).get(f"/api/users/{creator.username}/followers").json()["results"]

    assert results == []


def test_removing_a_follower_ends_their_access_to_a_private_account(client_for, private):
    fan = UserFactory()
    FollowFactory(follower=fan, followee=private)
    video = VideoFactory(owner=private)
    assert client_for(fan).get(f"/api/videos/{video.pk}").status_code == 200

    response = client_for(private).delete(f"/api/me/followers/{fan.username}")

    assert response.json() == {"removed": True, "followers": 0}
    assert client_for(fan).get(f"/api/videos/{video.pk}").status_code == 404


def test_likes_of_a_private_account_are_for_followers(client_for, private):
    liked = VideoFactory()
    LikeFactory(user=private, video=liked)
    fan = UserFactory()
    FollowFactory(follower=fan, followee=private)

    assert client_for(UserFactory()).get(f"/api/users/{private.username}/liked").status_code == 403
    assert _ids(client_for(fan).get(f"/api/users/{private.username}/liked")) == {liked.pk}


def test_profile_page_of_a_private_account_shows_no_grid_to_strangers(client, private):
    VideoFactory(owner=private, caption="secret garden tour")

    page = client.get(f"/@{private.username}").content.decode()

    assert "This account is private" in page
    assert "secret garden tour" not in page


def test_followers_page_lists_followers_and_is_locked_for_strangers(client, private):
    fan = UserFactory()
    FollowFactory(follower=fan, followee=private)
    public = UserFactory()
    FollowFactory(follower=fan, followee=public)

    assert f"@{fan.username}" in client.get(f"/@{public.username}/followers").content.decode()
    locked = client.get(f"/@{private.username}/followers").content.decode()
    assert "This account is private" in locked and f"@{fan.username}" not in locked


def test_a_follow_decided_on_an_old_copy_of_an_account_that_went_private_waits_for_approval():
    # The follow read is_private from the account as loaded at the start of the request; the
    # owner switched to private meanwhile, and the follow went through without approval.
    owner, fan = UserFactory(), UserFactory()
    stale = User.objects.get(pk=owner.pk)
    account_privacy_set(user=owner, private=True)
    result = follow_create(follower=fan, followee=stale)
    assert result.requested and not result.following
    assert not Follow.objects.filter(follower=fan, followee=owner).exists()
    assert FollowRequest.objects.filter(requester=fan, target=owner).exists()


def test_a_private_account_removes_a_suspended_follower_who_counts_only_while_active(
    client_for, private
):
    # A suspended follower was counted but not listed, and could not be removed (404): once
    # reinstated they saw the private account's videos again.
    fan = UserFactory()
    FollowFactory(follower=fan, followee=private)
    user_suspend(user=fan)
    owner = client_for(private)
    assert owner.get(f"/api/users/{private.username}").json()["counts"]["followers"] == 0
    response = owner.delete(f"/api/me/followers/{fan.username.upper()}")
    assert response.status_code == 200 and response.json()["followers"] == 0
    user_reinstate(user=fan)
    assert not Follow.objects.filter(follower=fan, followee=private).exists()
    assert_error_shape(owner.delete(f"/api/me/followers/{fan.username}"), 404, "not_a_follower")
