"""A block hides each account's profile, videos, likes and comments from the other: the blocked
user finds no such account; the blocker sees only a name to unblock."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.factories import (
    BlockFactory,
    CommentFactory,
    LikeFactory,
    UserFactory,
    VideoFactory,
)
from tests.support.errors import assert_error_shape

pytestmark = pytest.mark.django_db


@pytest.fixture
def blocked_pair():  # noqa: ANN201
    """(blocker, blocked): the blocker has a bio, a video and a like on a third user's video."""
    blocker = UserFactory(bio="my private bio")
    blocked = UserFactory()
    third_party_video = VideoFactory()
    LikeFactory(user=blocker, video=third_party_video)
    LikeFactory(user=blocked, video=third_party_video)
    VideoFactory(owner=blocker)
    VideoFactory(owner=blocked)
    BlockFactory(blocker=blocker, blocked=blocked)
    return blocker, blocked


def test_the_blocked_user_finds_no_such_account(client_for, blocked_pair) -> None:  # noqa: ANN001
    blocker, blocked = blocked_pair
    client = client_for(blocked)
    for path in ("", "/videos", "/liked"):
        response = client.get(f"/api/users/{blocker.username}{path}")
        assert_error_shape(response, 404, "not_found")
    # Signed out, the account is there as for anyone.
    assert client_for(None).get(f"/api/users/{blocker.username}").json()["bio"] == "my private bio"


def test_unfollowing_an_account_that_blocked_you_answers_as_for_no_account(
    client_for,  # noqa: ANN001
    blocked_pair,  # noqa: ANN001
) -> None:
    blocker, blocked = blocked_pair
    client = client_for(blocked)

    hidden = client.delete(f"/api/users/{blocker.username}/follow")
    missing = client.delete("/api/users/nobody-here/follow")

    assert assert_error_shape(hidden, 404, "not_found") == assert_error_shape(missing, 404)


@pytest.mark.parametrize("decision", ["approve", "deny"])
def test_deciding_a_request_from_an_account_that_blocked_you_answers_as_for_no_account(
    client_for,  # noqa: ANN001
    blocked_pair,  # noqa: ANN001
    decision: str,
) -> None:
    blocker, blocked = blocked_pair
    client = client_for(blocked)

    hidden = client.post(f"/api/me/follow-requests/{blocker.username}/{decision}")
    missing = client.post(f"/api/me/follow-requests/nobody-here/{decision}")

    assert assert_error_shape(hidden, 404, "not_found") == assert_error_shape(missing, 404)


def test_the_blocked_user_gets_the_not_found_page(blocked_pair) -> None:  # noqa: ANN001
    blocker, blocked = blocked_pair
    browser = Client()
    browser.force_login(blocked)
    response = browser.get(f"/@{blocker.username}")
    assert response.status_code == 404
    assert b"my private bio" not in response.content


def test_the_blocker_sees_only_a_name_to_unblock(client_for, blocked_pair) -> None:  # noqa: ANN001
    blocker, blocked = blocked_pair
    blocked.bio = "their bio"
    blocked.save()
    profile = client_for(blocker).get(f"/api/users/{blocked.username}").json()
    assert profile["restricted"] is True
    assert profile["bio"] == "" and profile["avatar_url"] is None
    assert profile["counts"] == {"followers": 0, "following": 0, "likes": 0, "videos": 0}
    assert profile["viewer"]["blocked"] is True
    browser = Client()
    browser.force_login(blocker)
    page = browser.get(f"/@{blocked.username}").content.decode()
    assert "their bio" not in page and 'data-role="unblock"' in page


def test_likes_are_hidden_across_a_block_both_ways(client_for, blocked_pair) -> None:  # noqa: ANN001
    blocker, blocked = blocked_pair
    liked_by_blocked = client_for(blocker).get(f"/api/users/{blocked.username}/liked").json()
    assert liked_by_blocked["results"] == []
    # A third user still sees both users' likes.
    third = client_for(UserFactory())
    assert len(third.get(f"/api/users/{blocked.username}/liked").json()["results"]) == 1
    assert len(third.get(f"/api/users/{blocker.username}/liked").json()["results"]) == 1


def test_the_blocker_sees_no_one_in_the_blocked_accounts_lists(client_for, blocked_pair) -> None:  # noqa: ANN001
    from tests.factories import FollowFactory

    blocker, blocked = blocked_pair
    for _ in range(3):
        FollowFactory(followee=blocked)
    FollowFactory(follower=blocked)
    api = client_for(blocker)
    browser = Client()
    browser.force_login(blocker)
    for which in ("followers", "following"):
        listed = api.get(f"/api/users/{blocked.username}/{which}")
        assert listed.status_code == 200 and listed.json()["results"] == [], which
        page = browser.get(f"/@{blocked.username}/{which}")
        assert page.status_code == 200
        assert not any(f"/@{row.username}" in page.content.decode() for row in _people(blocked))
    # Anyone else sees them.
    others = client_for(UserFactory()).get(f"/api/users/{blocked.username}/followers").json()
    assert len(others["results"]) == 3


def _people(user) -> list:  # noqa: ANN001
    from profiles.models import Follow, User

    ids = set(Follow.objects.filter(followee=user).values_list("follower_id", flat=True))
    ids |= set(Follow.objects.filter(follower=user).values_list("followee_id", flat=True))
    return list(User.objects.filter(pk__in=ids))


def test_videos_are_hidden_across_a_block_both_ways(client_for, blocked_pair) -> None:  # noqa: ANN001
    blocker, blocked = blocked_pair
    blocker_video = blocker.videos.get()
    blocked_video = blocked.videos.get()
    assert client_for(blocked).get(f"/api/videos/{blocker_video.pk}").status_code == 404
    assert client_for(blocker).get(f"/api/videos/{blocked_video.pk}").status_code == 404
    assert client_for(blocker).get(f"/api/users/{blocked.username}/videos").json()["results"] == []


def test_a_comment_thread_of_a_hidden_author_cannot_be_read_or_joined(client_for) -> None:  # noqa: ANN001
    video = VideoFactory()
    blocker, blocked = UserFactory(), UserFactory()
    BlockFactory(blocker=blocker, blocked=blocked)
    thread = CommentFactory(video=video, author=blocker, body="my thread")
    CommentFactory(video=video, author=UserFactory(), parent=thread, body="a reply")
    client = client_for(blocked)
    top = client.get(f"/api/videos/{video.pk}/comments").json()["results"]
    assert top == []
    replies = client.get(f"/api/videos/{video.pk}/comments?parent={thread.pk}")
    assert_error_shape(replies, 404, "not_found")
    answer = client.post(
        f"/api/videos/{video.pk}/comments",
        {"body": "hi", "parent_id": thread.pk},
        format="json",
    )
    assert answer.status_code == 400
    assert "parent_id" in answer.json()["fields"]
    assert thread.replies.count() == 1
    # The blocker's replies to the blocked user's comments are refused alike.
    theirs = CommentFactory(video=video, author=blocked, body="their comment")
    back = client_for(blocker).post(
        f"/api/videos/{video.pk}/comments", {"body": "hi", "parent_id": theirs.pk}, format="json"
    )
    assert back.status_code == 400


def test_a_reply_by_the_other_side_cannot_be_replied_to(client_for) -> None:  # noqa: ANN001
    """Inside a third user's thread, the blocked user cannot answer the blocker's reply."""
    video = VideoFactory()
    blocker, blocked = UserFactory(), UserFactory()
    BlockFactory(blocker=blocker, blocked=blocked)
    thread = CommentFactory(video=video, author=UserFactory(), body="open thread")
    reply = CommentFactory(video=video, author=blocker, parent=thread, body="blocker's reply")
    answer = client_for(blocked).post(
        f"/api/videos/{video.pk}/comments", {"body": "hi", "parent_id": reply.pk}, format="json"
    )
    assert answer.status_code == 400
    assert thread.replies.count() == 1
    # Anyone else may.
    other = client_for(UserFactory()).post(
        f"/api/videos/{video.pk}/comments", {"body": "hi", "parent_id": reply.pk}, format="json"
    )
    assert other.status_code == 201


def test_a_block_is_undone_even_when_the_other_side_blocked_back(client_for, blocked_pair) -> None:  # noqa: ANN001
    """Each blocked the other: to each, the other "does not exist" (404), yet each must still
    be able to take back their own block."""
    blocker, blocked = blocked_pair
    BlockFactory(blocker=blocked, blocked=blocker)
    undone = client_for(blocker).delete(f"/api/users/{blocked.username.upper()}/block")
    assert undone.status_code == 200 and undone.json() == {"blocked": False}
    from profiles.models import Block

    assert list(Block.objects.values_list("blocker_id", "blocked_id")) == [(blocked.pk, blocker.pk)]
    # Still nothing to see of someone who blocks you, and no block of yours left to undo.
    assert client_for(blocker).delete(f"/api/users/{blocked.username}/block").status_code == 404
    assert client_for(blocker).post(f"/api/users/{blocked.username}/block").status_code == 404
