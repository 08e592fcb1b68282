"""In-app shares: POST /api/videos/<id>/share {"channel": "user", "to": name} stores a counted
share with its recipient and announces it once committed; who may send what to whom."""

from __future__ import annotations

import pytest
from rest_framework.throttling import ScopedRateThrottle

from feed.models import Interaction
from tests.factories import BlockFactory, FollowFactory, UserFactory, VideoFactory
from tests.support.errors import assert_error_shape
from videos.events import shared_to_user
from videos.models import Privacy, Share, Video, VideoStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def announced():  # noqa: ANN201
    """The shares announced through `shared_to_user`, in order."""
    shares = []

    def receive(sender, *, share, **kwargs) -> None:  # noqa: ANN001, ANN003
        shares.append(share)

    shared_to_user.connect(receive, dispatch_uid="test-share-to-user")
    yield shares
    shared_to_user.disconnect(dispatch_uid="test-share-to-user")


def _send(client, video, to, **extra):  # noqa: ANN001, ANN003, ANN202
    return client.post(
        f"/api/videos/{video.pk}/share", {"channel": "user", "to": to, **extra}, format="json"
    )


def test_share_to_a_user_stores_the_recipient_and_counts(client_for, video):
    sharer, friend = UserFactory(), UserFactory()

    response = _send(client_for(sharer), video, friend.username)

    assert response.status_code == 200
    assert response.json() == {"shares": 1, "url": f"/v/{video.pk}", "to": friend.username}
    share = Share.objects.get(video=video)
    assert (share.user, share.recipient, share.channel) == (sharer, friend, "user")
    assert Video.objects.get(pk=video.pk).share_count == 1


def test_the_recipient_is_matched_case_insensitively(client_for, video):
    friend = UserFactory(username="Friendly")

    response = _send(client_for(UserFactory()), video, "friendly")

    assert response.status_code == 200
    assert Share.objects.get(video=video).recipient == friend


@pytest.mark.django_db(transaction=True)
def test_every_in_app_share_is_sent_and_the_sharer_counted_once(client_for, announced):
    video = VideoFactory()
    client, friend, other = client_for(UserFactory()), UserFactory(), UserFactory()
    client.post(f"/api/videos/{video.pk}/share")  # a copied link first: the same sharer
    _send(client, video, friend.username)

    response = _send(client, video, other.username)

    assert response.json()["shares"] == 1
    assert Share.objects.filter(recipient=friend).count() == 1
    assert Share.objects.filter(recipient=other).count() == 1
    assert [share.recipient_id for share in announced] == [friend.pk, other.pk]


@pytest.mark.django_db(transaction=True)
def test_the_share_is_announced_after_commit(client_for, announced):
    video = VideoFactory()
    sharer, friend = UserFactory(), UserFactory()

    _send(client_for(sharer), video, friend.username)

    assert [(s.recipient_id, s.user_id, s.video_id) for s in announced] == [
        (friend.pk, sharer.pk, video.pk)
    ]


def test_the_share_teaches_the_feed(client_for, video):
    sharer = UserFactory()

    _send(client_for(sharer), video, UserFactory().username)

    assert Interaction.objects.filter(user=sharer, video=video, type="share").exists()


def test_anonymous_share_to_a_user_is_401(client_for, video, announced):
    response = _send(client_for(None), video, UserFactory().username)

    assert_error_shape(response, 401)
    assert not Share.objects.exists()


def test_share_to_no_such_user_is_404(client_for, video):
    response = _send(client_for(UserFactory()), video, "nobody_here")

    body = assert_error_shape(response, 404)
    assert body["detail"] == "no such user"
    assert not Share.objects.exists()


def test_share_to_an_inactive_user_is_404(client_for, video):
    gone = UserFactory(is_active=False)

    response = _send(client_for(UserFactory()), video, gone.username)

    assert_error_shape(response, 404)


def test_share_to_someone_who_blocked_the_sharer_is_404_as_if_they_did_not_exist(client_for, video):
    sharer, blocker = UserFactory(), UserFactory()
    BlockFactory(blocker=blocker, blocked=sharer)

    response = _send(client_for(sharer), video, blocker.username)

    body = assert_error_shape(response, 404)
    assert body["detail"] == "no such user"
    assert not Share.objects.exists()


def test_share_to_someone_the_sharer_blocked_is_404(client_for, video):
    sharer, blocked = UserFactory(), UserFactory()
    BlockFactory(blocker=sharer, blocked=blocked)

    response = _send(client_for(sharer), video, blocked.username)

    assert_error_shape(response, 404)


def test_share_to_yourself_is_400(client_for, video):
    sharer = UserFactory()

    response = _send(client_for(sharer), video, sharer.username)

    body = assert_error_shape(response, 400, "cannot_share_to_self")
    assert "to" in body["fields"]


def test_share_without_a_recipient_is_400(client_for, video):
    response = _send(client_for(UserFactory()), video, "")

    body = assert_error_shape(response, 400)
    assert "to" in body["fields"]


def test_share_of_a_private_video_to_someone_is_400_recipient_cannot_see(client_for):
    video = VideoFactory(privacy=Privacy.PRIVATE)

    response = _send(client_for(video.owner), video, UserFactory().username)

    body = assert_error_shape(response, 400, "recipient_cannot_see")
    assert "to" in body["fields"]
    assert not Share.objects.exists()
    assert Video.objects.get(pk=video.pk).share_count == 0


def test_share_of_a_followers_only_video_to_a_non_follower_is_400(client_for):
    video = VideoFactory(privacy=Privacy.FOLLOWERS)
    follower, stranger = UserFactory(), UserFactory()
    FollowFactory(follower=follower, followee=video.owner)

    response = _send(client_for(follower), video, stranger.username)

    assert_error_shape(response, 400, "recipient_cannot_see")


def test_share_of_a_followers_only_video_to_another_follower_is_stored(client_for):
    video = VideoFactory(privacy=Privacy.FOLLOWERS)
    follower, other = UserFactory(), UserFactory()
    for user in (follower, other):
        FollowFactory(follower=user, followee=video.owner)

    response = _send(client_for(follower), video, other.username)

    assert response.status_code == 200


def test_share_of_an_unready_video_to_someone_is_400(client_for):
    video = VideoFactory(status=VideoStatus.PROCESSING)

    response = _send(client_for(video.owner), video, UserFactory().username)

    assert_error_shape(response, 400, "recipient_cannot_see")


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "creator_blocked", [True, False], ids=["creator_blocked", "blocked_creator"]
)
def test_a_block_between_creator_and_recipient_is_answered_as_a_share_and_delivers_nothing(
    client_for, announced, creator_blocked
):
    # The sharer may not learn of a block between two other people: the answer is a normal
    # share's (the sharer counted once), but the recipient is told nothing.
    video = VideoFactory()
    sharer, recipient, friend = UserFactory(), UserFactory(), UserFactory()
    pair = (video.owner, recipient) if creator_blocked else (recipient, video.owner)
    BlockFactory(blocker=pair[0], blocked=pair[1])
    client = client_for(sharer)

    blocked = _send(client, video, recipient.username)
    delivered = _send(client, video, friend.username)

    assert blocked.status_code == delivered.status_code == 200
    assert blocked.json() == {"shares": 1, "url": f"/v/{video.pk}", "to": recipient.username}
    assert delivered.json() == {"shares": 1, "url": f"/v/{video.pk}", "to": friend.username}
    assert [share.recipient_id for share in announced] == [friend.pk]


def test_a_followers_only_video_to_someone_blocked_by_the_creator_is_400_as_for_a_non_follower(
    client_for,
):
    video = VideoFactory(privacy=Privacy.FOLLOWERS)
    follower, recipient = UserFactory(), UserFactory()
    FollowFactory(follower=follower, followee=video.owner)
    BlockFactory(blocker=video.owner, blocked=recipient)

    response = _send(client_for(follower), video, recipient.username)

    assert_error_shape(response, 400, "recipient_cannot_see")


def test_share_of_a_video_the_sharer_cannot_see_is_404(client_for):
    video = VideoFactory(privacy=Privacy.PRIVATE)

    response = _send(client_for(UserFactory()), video, UserFactory().username)

    assert_error_shape(response, 404)


def test_in_app_shares_over_their_rate_get_429(client_for, video, monkeypatch):  # noqa: ANN001
    monkeypatch.setitem(ScopedRateThrottle.THROTTLE_RATES, "share_to_user", "2/min")
    client, friend = client_for(UserFactory()), UserFactory()
    for _ in range(2):
        assert _send(client, video, friend.username).status_code == 200

    response = _send(client, video, friend.username)

    assert_error_shape(response, 429, "throttled")
    assert Share.objects.filter(recipient=friend).count() == 2


@pytest.mark.parametrize("spelled", ["user ", "\tuser", " user\n"])
def test_an_in_app_share_spelled_with_spaces_is_held_by_its_rate(
    client_for, video, monkeypatch, spelled
):  # noqa: ANN001
    # The serializer strips the channel, so the rate must read it the same way.
    monkeypatch.setitem(ScopedRateThrottle.THROTTLE_RATES, "share_to_user", "2/min")
    client, friend = client_for(UserFactory()), UserFactory()
    for _ in range(2):
        assert _send(client, video, friend.username).status_code == 200

    response = client.post(
        f"/api/videos/{video.pk}/share", {"channel": spelled, "to": friend.username}, format="json"
    )

    assert_error_shape(response, 429, "throttled")
    assert Share.objects.filter(recipient=friend).count() == 2


def test_copy_link_shares_are_not_held_by_the_in_app_rate(client_for, video, monkeypatch):  # noqa: ANN001
    monkeypatch.setitem(ScopedRateThrottle.THROTTLE_RATES, "share_to_user", "1/min")
    client = client_for(UserFactory())
    _send(client, video, UserFactory().username)

    response = client.post(f"/api/videos/{video.pk}/share", {"channel": "copy_link"})

    assert response.status_code == 200
