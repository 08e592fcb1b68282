"""The notifications API: the list, unread count, marking read, preferences, permissions."""

from __future__ import annotations

import pytest

from notifications.models import Notification
from tests.factories import UserFactory, VideoFactory
from tests.support.errors import assert_error_shape
from tests.support.notices import notice_add

pytestmark = pytest.mark.django_db


def _like_notice(recipient, video, actor) -> Notification:  # noqa: ANN001
    return notice_add(recipient, "like", f"like:video:{video.pk}", actor=actor, video=video)


def test_anonymous_gets_401_everywhere(client_for):
    client = client_for(None)
    for method, path in (
        ("get", "/api/notifications"),
        ("get", "/api/notifications/unread-count"),
        ("post", "/api/notifications/read-all"),
        ("get", "/api/me/notification-preferences"),
    ):
        assert getattr(client, method)(path).status_code == 401, path


def test_list_pages_newest_activity_first_with_unread_count(client_for, creator):
    videos = [VideoFactory(owner=creator) for _ in range(3)]
    for video in videos:
        _like_notice(creator, video, UserFactory())

    first = client_for(creator).get("/api/notifications?limit=2").json()

    assert first["unread"] == 3
    assert [r["video"]["id"] for r in first["results"]] == [videos[2].pk, videos[1].pk]
    rest = client_for(creator).get(first["next"]).json()
    assert [r["video"]["id"] for r in rest["results"]] == [videos[0].pk]
    assert rest["next"] is None


def test_you_only_see_your_own_notifications(client_for, creator):
    _like_notice(creator, VideoFactory(owner=creator), UserFactory())

    assert client_for(UserFactory()).get("/api/notifications").json()["results"] == []


def test_mark_read_only_touches_your_own(client_for, creator):
    other = UserFactory()
    mine = _like_notice(creator, VideoFactory(owner=creator), UserFactory())
    theirs = _like_notice(other, VideoFactory(owner=other), UserFactory())

    response = client_for(creator).post(
        "/api/notifications/read", {"ids": [mine.pk, theirs.pk]}, format="json"
    )

    assert response.json() == {"marked": 1, "unread": 0}
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_mark_read_needs_ids(client_for, creator):
    response = client_for(creator).post("/api/notifications/read", {"ids": []}, format="json")

    body = assert_error_shape(response, 400)
    assert "ids" in body["fields"]


def test_mark_all_read(client_for, creator):
    for _ in range(2):
        _like_notice(creator, VideoFactory(owner=creator), UserFactory())

    response = client_for(creator).post("/api/notifications/read-all")

    assert response.json() == {"marked": 2, "unread": 0}
    assert client_for(creator).get("/api/notifications/unread-count").json() == {"unread": 0}


def test_preferences_turn_kinds_off_and_on(client_for, creator):
    client = client_for(creator)

    kinds = client.patch("/api/me/notification-preferences", {"like": False}, format="json").json()[
        "kinds"
    ]

    assert {k["kind"]: k["enabled"] for k in kinds}["like"] is False
    assert {k["kind"]: k["enabled"] for k in kinds}["comment"] is True
    assert _like_notice(creator, VideoFactory(owner=creator), UserFactory()) is None
    client.patch("/api/me/notification-preferences", {"like": True}, format="json")
    assert _like_notice(creator, VideoFactory(owner=creator), UserFactory()) is not None


def test_unknown_preference_kind_is_refused(client_for, creator):
    response = client_for(creator).patch(
        "/api/me/notification-preferences", {"likes": False}, format="json"
    )

    body = assert_error_shape(response, 400, "unknown_kind")
    assert "likes" in body["detail"]


def test_non_boolean_preference_is_refused(client_for, creator):
    response = client_for(creator).patch(
        "/api/me/notification-preferences", {"like": "no"}, format="json"
    )

    assert_error_shape(response, 400)


def test_a_video_the_recipient_can_no_longer_see_loses_its_thumbnail_and_link(client_for, creator):
    fan = UserFactory()
    video = VideoFactory(owner=creator)
    notice_add(fan, "new_video", f"new_video:video:{video.pk}", actor=creator, video=video)
    video.privacy = "private"
    video.save()

    [item] = client_for(fan).get("/api/notifications").json()["results"]

    assert item["video"] is None and item["url"] == f"/@{creator.username}"


def test_notifications_page_needs_sign_in(client, creator):
    assert client.get("/notifications").status_code == 302
    client.force_login(creator)
    assert client.get("/notifications").status_code == 200


def test_prune_deletes_old_read_notifications_only(creator, settings):
    from datetime import timedelta

    from django.utils import timezone

    from notifications.services import notifications_prune

    settings.NOTIFICATIONS_KEEP_READ_DAYS = 30
    old_read, old_unread, recent_read = (
        _like_notice(creator, VideoFactory(owner=creator), UserFactory()) for _ in range(3)
    )
    long_ago = timezone.now() - timedelta(days=31)
    Notification.objects.filter(pk__in=[old_read.pk, recent_read.pk]).update(read_at=long_ago)
    Notification.objects.filter(pk__in=[old_read.pk, old_unread.pk]).update(updated_at=long_ago)

    assert notifications_prune() == 1

    assert set(Notification.objects.values_list("pk", flat=True)) == {old_unread.pk, recent_read.pk}


def test_prune_deletes_unread_notifications_past_their_days_too_batch_by_batch(
    creator, settings, monkeypatch
):  # noqa: ANN001
    # A follower who never opens the inbox: their unread notices were kept for ever.
    from datetime import timedelta

    from django.utils import timezone

    from notifications import services
    from notifications.models import NotificationActor

    settings.NOTIFICATIONS_KEEP_UNREAD_DAYS = 60
    monkeypatch.setattr(services, "PRUNE_BATCH_IDS", 2, raising=False)  # several batches
    notices = [_like_notice(creator, VideoFactory(owner=creator), UserFactory()) for _ in range(5)]
    stale, fresh = notices[:4], notices[4]
    Notification.objects.filter(pk__in=[n.pk for n in stale]).update(
        updated_at=timezone.now() - timedelta(days=61)
    )
    assert NotificationActor.objects.filter(notification__in=stale).count() == 4

    assert services.notifications_prune() == 4

    assert list(Notification.objects.values_list("pk", flat=True)) == [fresh.pk]
    assert NotificationActor.objects.filter(notification_id__in=[n.pk for n in stale]).count() == 0


def test_the_unread_count_leaves_out_people_blocked_since(client_for, creator):
    from tests.factories import BlockFactory

    fan = UserFactory()
    _like_notice(creator, VideoFactory(owner=creator), fan)
    _like_notice(creator, VideoFactory(owner=creator), UserFactory())

    BlockFactory(blocker=creator, blocked=fan)

    body = client_for(creator).get("/api/notifications").json()
    assert len(body["results"]) == 1 and body["unread"] == 1


def test_one_liker_blocking_the_owner_does_not_hide_the_others_in_the_group(client_for, creator):
    from profiles.services.graph import block_create

    video = VideoFactory(owner=creator)
    fans = [UserFactory(username=f"fan{n}") for n in range(2)]
    for fan in fans:
        _like_notice(creator, video, fan)
    troll = UserFactory(username="troll")
    _like_notice(creator, video, troll)  # now the group's latest
    follow_group_troll = UserFactory(username="lonely")
    _like_notice(creator, VideoFactory(owner=creator), follow_group_troll)

    block_create(blocker=troll, blocked=creator)
    block_create(blocker=follow_group_troll, blocked=creator)

    body = client_for(creator).get("/api/notifications").json()
    assert body["unread"] == 1
    [group] = body["results"]
    assert [a["username"] for a in group["actors"]] == ["fan1", "fan0"]
    assert group["text"].startswith("Fan1 and ")  # by a person still shown
    assert client_for(creator).get("/api/notifications/unread-count").json()["unread"] == 1


def test_a_suspended_creators_new_video_leaves_the_list_and_the_unread_count_alike(
    client_for, creator
):
    from notifications.models import NotificationKind
    from notifications.services import new_video_fanout
    from profiles.services.suspension import user_suspend
    from tests.factories import FollowFactory

    fan = UserFactory()
    FollowFactory(follower=fan, followee=creator)
    video = VideoFactory(owner=creator)
    new_video_fanout(video_id=video.pk, owner_id=creator.pk, privacy=video.privacy)
    listed = client_for(fan).get("/api/notifications").json()
    assert [item["kind"] for item in listed["results"]] == [NotificationKind.NEW_VIDEO]

    user_suspend(user=creator)

    body = client_for(fan).get("/api/notifications").json()
    assert body["results"] == [] and body["unread"] == 0


def _liked_by_ana_and_ben(creator) -> tuple:  # noqa: ANN001
    video = VideoFactory(owner=creator)
    ana, ben = UserFactory(display_name="Ana"), UserFactory(display_name="Ben")
    _like_notice(creator, video, ana)
    _like_notice(creator, video, ben)
    return ana, ben


def test_a_liker_who_deletes_their_account_leaves_the_groups_count(client_for, creator):
    ana, _ = _liked_by_ana_and_ben(creator)

    ana.delete()

    [item] = client_for(creator).get("/api/notifications").json()["results"]
    assert item["text"] == "Ben liked your video" and item["actor_count"] == 1


def test_a_group_everyone_left_counts_no_one(client_for, creator):
    ana, ben = _liked_by_ana_and_ben(creator)

    ben.delete()
    ana.delete()

    [item] = client_for(creator).get("/api/notifications").json()["results"]
    assert item["text"] == "Someone liked your video" and item["actor_count"] == 0


def test_a_name_or_comment_with_a_direction_override_cannot_turn_the_sentence_around(
    creator, client_for
):  # noqa: ANN001
    # A name stored before such names were refused (or set by an admin), and a comment: an
    # override in them reversed "... liked your video" and everything after it.
    from videos.services.engagement import comment_create

    video = VideoFactory(owner=creator)
    spoofer = UserFactory(display_name="\u202eoediv ruoy devomer notaredoM")
    _like_notice(creator, video, spoofer)
    comment = comment_create(author=UserFactory(), video=video, body="nice \u202eoediv")
    key = f"comment:{comment.pk}"
    notice_add(creator, "comment", key, actor=comment.author, video=video, comment=comment)
    items = client_for(creator).get("/api/notifications").json()["results"]
    texts = {item["kind"]: item for item in items}
    assert texts["like"]["text"] == "oediv ruoy devomer notaredoM liked your video"
    assert texts["comment"]["comment"]["excerpt"] == "nice oediv"
