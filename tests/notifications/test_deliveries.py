"""What each event tells whom: likes (grouped, once per person, not after an unlike), comments,
replies, mentions, follows and requests, new videos, processing outcomes, shares, report
outcomes; never from yourself, across a block, or of a muted kind."""

from __future__ import annotations

import pytest

from notifications.deliveries import event_deliver
from notifications.models import NotificationKind
from notifications.services import notification_preferences_set, notifications_mark_read
from profiles.services.graph import follow_create, follow_delete, follow_request_approve
from tests.factories import BlockFactory, FollowFactory, LikeFactory, UserFactory, VideoFactory
from tests.notifications.conftest import notes
from videos.events import shared_to_user_announce, video_failed_announce, video_published_announce
from videos.models import Privacy, Share, VideoStatus
from videos.services.engagement import comment_create, like_create, like_delete

pytestmark = pytest.mark.django_db


def test_a_like_notifies_the_owner(delivered, video, creator):
    fan = UserFactory(display_name="Ana")

    delivered(lambda: like_create(user=fan, video=video))

    [note] = notes(creator)
    assert note.kind == NotificationKind.LIKE and note.actor == fan and note.video == video
    assert note.read_at is None


def test_likes_of_one_video_group_into_one_notification(client_for, delivered, video, creator):
    fans = [UserFactory(display_name=name) for name in ("Ana", "Ben", "Cy")]
    for fan in fans:
        delivered(lambda fan=fan: like_create(user=fan, video=video))

    [note] = notes(creator)
    assert note.actor_count == 3 and note.actor == fans[-1]
    listed = client_for(creator).get("/api/notifications").json()["results"]
    assert listed[0]["text"] == "Cy and 2 others liked your video"
    assert [a["username"] for a in listed[0]["actors"]] == [fans[2].username, fans[1].username]


def test_like_unlike_like_notifies_once(delivered, video, creator):
    fan = UserFactory()
    for action in (like_create, like_delete, like_create, like_delete, like_create):
        delivered(lambda action=action: action(user=fan, video=video))

    [note] = notes(creator)
    assert note.actor_count == 1


def test_a_like_undone_before_delivery_tells_no_one(delivered, video, creator):
    fan = UserFactory()

    def like_then_unlike() -> None:
        like_create(user=fan, video=video)
        like_delete(user=fan, video=video)

    delivered(like_then_unlike)

    assert notes(creator) == []


def test_a_like_after_the_group_was_read_starts_a_new_group(delivered, video, creator):
    delivered(lambda: like_create(user=UserFactory(), video=video))
    notifications_mark_read(user=creator)

    delivered(lambda: like_create(user=UserFactory(), video=video))

    assert [n.actor_count for n in notes(creator)] == [1, 1]
    assert [n.read_at is None for n in notes(creator)] == [True, False]


def test_your_own_like_tells_no_one(delivered, video, creator):
    delivered(lambda: like_create(user=creator, video=video))

    assert notes(creator) == []


@pytest.mark.parametrize("creator_blocked_fan", [True, False])
def test_blocked_users_never_notify_you(video, creator, creator_blocked_fan):
    fan = UserFactory()
    LikeFactory(user=fan, video=video)  # liked before the block
    if creator_blocked_fan:
        BlockFactory(blocker=creator, blocked=fan)
    else:
        BlockFactory(blocker=fan, blocked=creator)

    told = event_deliver(event="like", payload={"user_id": fan.pk, "video_id": video.pk})

    assert told == 0 and notes(creator) == []


def test_the_same_like_without_a_block_is_told(video, creator):
    fan = UserFactory()
    LikeFactory(user=fan, video=video)

    assert event_deliver(event="like", payload={"user_id": fan.pk, "video_id": video.pk}) == 1


def test_a_muted_kind_is_not_recorded(delivered, video, creator):
    notification_preferences_set(user=creator, enabled={"like": False})

    delivered(lambda: like_create(user=UserFactory(), video=video))

    assert notes(creator) == []


def test_a_comment_notifies_the_video_owner(delivered, video, creator):
    fan = UserFactory()

    comment = delivered(lambda: comment_create(author=fan, video=video, body="nice one"))

    [note] = notes(creator)
    assert note.kind == NotificationKind.COMMENT and note.comment == comment


def test_a_reply_notifies_the_comments_author_and_the_owner(delivered, video, creator):
    first, replier = UserFactory(), UserFactory()
    top = delivered(lambda: comment_create(author=first, video=video, body="first!"))

    delivered(lambda: comment_create(author=replier, video=video, body="agreed", parent_id=top.pk))

    assert [n.kind for n in notes(first)] == [NotificationKind.REPLY]
    assert [n.actor_count for n in notes(creator, NotificationKind.COMMENT)] == [2]


def test_a_reply_to_a_reply_notifies_that_replys_author(delivered, video):
    top_author, reply_author, third = UserFactory(), UserFactory(), UserFactory()
    top = delivered(lambda: comment_create(author=top_author, video=video, body="a"))
    reply = delivered(
        lambda: comment_create(author=reply_author, video=video, body="b", parent_id=top.pk)
    )

    delivered(lambda: comment_create(author=third, video=video, body="c", parent_id=reply.pk))

    assert [n.kind for n in notes(reply_author)] == [NotificationKind.REPLY]
    assert notes(reply_author)[0].actor == third


def test_a_mention_in_a_comment_notifies_the_person_once(delivered, video):
    ana = UserFactory(username="ana_k")
    author = UserFactory()

    delivered(lambda: comment_create(author=author, video=video, body="@ana_k look @ANA_K"))

    [note] = notes(ana)
    assert note.kind == NotificationKind.MENTION and note.data == {"in": "comment"}


def test_a_mention_does_not_reach_someone_who_cannot_see_the_video(delivered, creator):
    secret = VideoFactory(owner=creator, privacy=Privacy.FOLLOWERS)
    stranger = UserFactory(username="stranger")
    FollowFactory(follower=(fan := UserFactory()), followee=creator)

    delivered(lambda: comment_create(author=fan, video=secret, body="hey @stranger"))

    assert notes(stranger) == []


def test_the_owner_mentioned_in_a_comment_on_their_video_is_told_once(delivered, video, creator):
    commenter = UserFactory()

    delivered(
        lambda: comment_create(author=commenter, video=video, body=f"@{creator.username} wow")
    )

    assert [n.kind for n in notes(creator)] == [NotificationKind.COMMENT]


def test_a_reply_mentioning_the_author_it_answers_tells_them_once(delivered, video):
    first = UserFactory(username="first_one")
    top = delivered(lambda: comment_create(author=first, video=video, body="first!"))

    delivered(
        lambda: comment_create(
            author=UserFactory(), video=video, body="@first_one agreed", parent_id=top.pk
        )
    )

    assert [n.kind for n in notes(first)] == [NotificationKind.REPLY]


def test_a_follower_mentioned_in_a_caption_is_told_of_the_new_video_once(delivered, creator):
    friend = UserFactory(username="friend")
    FollowFactory(follower=friend, followee=creator)
    video = VideoFactory(owner=creator, status=VideoStatus.READY, caption="with @friend")

    delivered(lambda: video_published_announce(video_id=video.pk))

    assert [n.kind for n in notes(friend)] == [NotificationKind.NEW_VIDEO]


def test_following_notifies_and_groups_new_followers(delivered, creator):
    delivered(lambda: follow_create(follower=UserFactory(), followee=creator))
    delivered(lambda: follow_create(follower=UserFactory(), followee=creator))

    [note] = notes(creator)
    assert note.kind == NotificationKind.FOLLOW and note.actor_count == 2


def test_a_follow_request_and_its_approval(delivered):
    owner = UserFactory(is_private=True)
    fan = UserFactory()

    delivered(lambda: follow_create(follower=fan, followee=owner))
    assert [n.kind for n in notes(owner)] == [NotificationKind.FOLLOW_REQUEST]

    delivered(lambda: follow_request_approve(target=owner, requester=fan))
    assert [n.kind for n in notes(fan)] == [NotificationKind.FOLLOW_APPROVED]
    assert NotificationKind.FOLLOW in {n.kind for n in notes(owner)}


def test_an_approval_undone_before_delivery_tells_no_one(creator):
    from profiles.services.graph import follower_remove

    fan = UserFactory()
    FollowFactory(follower=fan, followee=creator)  # approved...
    follower_remove(user=creator, follower=fan)  # ...and removed before the delivery ran

    told = event_deliver(
        event="follow_approved", payload={"requester_id": fan.pk, "target_id": creator.pk}
    )

    assert told == 0 and notes(fan) == []


def test_publishing_tells_the_owner_and_followers_once(delivered, creator, client_for):
    fans = [UserFactory(), UserFactory()]
    for fan in fans:
        FollowFactory(follower=fan, followee=creator)
    video = VideoFactory(owner=creator, status=VideoStatus.READY)

    delivered(lambda: video_published_announce(video_id=video.pk))
    delivered(lambda: video_published_announce(video_id=video.pk))  # a reprocess

    assert [n.kind for n in notes(creator)] == [NotificationKind.VIDEO_READY]
    for fan in fans:
        [note] = notes(fan)
        assert note.kind == NotificationKind.NEW_VIDEO and note.video == video
    [item] = client_for(fans[0]).get("/api/notifications").json()["results"]
    assert item["text"] == f"{creator.display_name} posted a new video"


def test_a_private_video_is_not_announced_to_followers(delivered, creator):
    fan = UserFactory()
    FollowFactory(follower=fan, followee=creator)
    video = VideoFactory(owner=creator, privacy=Privacy.PRIVATE)

    delivered(lambda: video_published_announce(video_id=video.pk))

    assert notes(fan) == []


def test_a_caption_mention_notifies_on_publish(delivered, creator):
    friend = UserFactory(username="friend")
    video = VideoFactory(owner=creator, caption="with @friend at the beach")

    delivered(lambda: video_published_announce(video_id=video.pk))

    assert [n.kind for n in notes(friend)] == [NotificationKind.MENTION]


def test_a_failed_video_tells_its_owner_why(delivered, creator, client_for):
    video = VideoFactory(
        owner=creator, status=VideoStatus.FAILED, failure_reason="transcode: no video stream"
    )

    delivered(lambda: video_failed_announce(video_id=video.pk))

    [item] = client_for(creator).get("/api/notifications").json()["results"]
    assert item["kind"] == "video_failed"
    assert item["text"] == "Your video could not be processed: transcode"


def test_an_in_app_share_notifies_the_recipient(delivered, video):
    sender, friend = UserFactory(), UserFactory()
    share = Share.objects.create(user=sender, video=video, channel="user", recipient=friend)

    delivered(lambda: shared_to_user_announce(share=share))

    [note] = notes(friend)
    assert note.kind == NotificationKind.SHARE and note.actor == sender


def test_a_share_is_not_told_to_someone_who_lost_sight_of_the_video_since(delivered, creator):
    sender, friend = UserFactory(), UserFactory()
    FollowFactory(follower=friend, followee=creator)
    video = VideoFactory(owner=creator, status=VideoStatus.READY, privacy=Privacy.FOLLOWERS)
    share = Share.objects.create(user=sender, video=video, channel="user", recipient=friend)
    follow_delete(follower=friend, followee=creator)  # before the delivery

    delivered(lambda: shared_to_user_announce(share=share))

    assert notes(friend) == []


def test_a_mention_in_a_thread_the_mentioned_person_cannot_read_tells_no_one(delivered, video):
    from tests.factories import CommentFactory

    thread_author, pal, replier = UserFactory(), UserFactory(username="palx"), UserFactory()
    top = CommentFactory(video=video, author=thread_author)
    BlockFactory(blocker=thread_author, blocked=pal)

    delivered(
        lambda: comment_create(author=replier, video=video, body="look @palx", parent_id=top.pk)
    )
    assert notes(pal) == []
    # The same mention where they can read it is told.
    delivered(lambda: comment_create(author=replier, video=video, body="look @palx"))
    assert [n.kind for n in notes(pal)] == [NotificationKind.MENTION]


def test_an_owner_who_muted_replies_hears_of_a_reply_to_their_comment_as_a_comment(
    delivered, video, creator
):
    own = comment_create(author=creator, video=video, body="first!")
    fan = UserFactory()
    delivered(lambda: comment_create(author=fan, video=video, body="hi", parent_id=own.pk))
    assert [n.kind for n in notes(creator)] == [NotificationKind.REPLY]  # one notice, a reply

    notification_preferences_set(user=creator, enabled={"reply": False})
    other = UserFactory()
    delivered(lambda: comment_create(author=other, video=video, body="yo", parent_id=own.pk))
    assert [n.kind for n in notes(creator)] == [NotificationKind.COMMENT, NotificationKind.REPLY]

    notification_preferences_set(user=creator, enabled={"reply": False, "comment": False})
    delivered(lambda: comment_create(author=UserFactory(), video=video, body="x", parent_id=own.pk))
    assert len(notes(creator)) == 2


def test_reporters_hear_the_outcome(creator):
    reporters = [UserFactory(), UserFactory()]

    told = event_deliver(
        event="report_resolved",
        payload={
            "case_id": 7,
            "kind": "video",
            "outcome": "actioned",
            "action": "hide_video",
            "reporter_ids": [r.pk for r in reporters],
            "video_id": None,
        },
    )

    assert told == 2
    for reporter in reporters:
        [note] = notes(reporter)
        assert note.kind == NotificationKind.REPORT_OUTCOME
        assert note.data == {"item": "video", "outcome": "actioned"}


def test_a_suspended_account_notifies_no_one(video, creator):
    fan = UserFactory()
    LikeFactory(user=fan, video=video)
    fan.is_active = False
    fan.save(update_fields=["is_active"])

    assert event_deliver(event="like", payload={"user_id": fan.pk, "video_id": video.pk}) == 0
    assert notes(creator) == []


def test_a_suspended_recipient_is_not_told(video, creator):
    LikeFactory(user=(fan := UserFactory()), video=video)
    creator.is_active = False
    creator.save(update_fields=["is_active"])

    assert event_deliver(event="like", payload={"user_id": fan.pk, "video_id": video.pk}) == 0


@pytest.mark.parametrize("resolve, outcome", [("hide", "actioned"), ("dismiss", "dismissed")])
def test_a_moderators_decision_reaches_each_reporter(delivered, video, resolve, outcome):
    from moderation.services import case_dismiss, case_video_hide, report_create

    reporters = [UserFactory(), UserFactory()]
    for reporter in reporters:
        result = report_create(reporter=reporter, kind="video", reason="spam", item_id=video.pk)
    action = case_video_hide if resolve == "hide" else case_dismiss

    delivered(lambda: action(case=result.report.case, moderator=None))

    for reporter in reporters:
        [note] = notes(reporter)
        assert note.kind == NotificationKind.REPORT_OUTCOME
        assert note.data == {"item": "video", "outcome": outcome}
    assert notes(video.owner) == []  # the reported creator is not told who reported


def test_a_reply_does_not_reach_someone_who_can_no_longer_see_the_video(delivered, creator):
    secret = VideoFactory(owner=creator, privacy=Privacy.FOLLOWERS)
    carol, dave = UserFactory(), UserFactory()
    FollowFactory(follower=carol, followee=creator)
    FollowFactory(follower=dave, followee=creator)
    top = delivered(lambda: comment_create(author=carol, video=secret, body="first"))
    carol.following_set.all().delete()  # carol unfollowed: the video is gone for her

    delivered(lambda: comment_create(author=dave, video=secret, body="hi", parent_id=top.pk))

    assert notes(carol) == []


def test_a_hidden_comments_words_are_not_shown_in_the_owners_notification(
    delivered, client_for, video, creator
):
    from django.utils import timezone

    comment = delivered(lambda: comment_create(author=UserFactory(), video=video, body="spam!"))
    type(comment).objects.filter(pk=comment.pk).update(hidden_at=timezone.now())

    [item] = client_for(creator).get("/api/notifications").json()["results"]

    assert item["kind"] == "comment" and item["comment"] is None


def test_a_group_outlives_its_latest_actor_and_comment(delivered, video, creator):
    first, last = UserFactory(display_name="Ana"), UserFactory()
    delivered(lambda: comment_create(author=first, video=video, body="one"))
    comment = delivered(lambda: comment_create(author=last, video=video, body="two"))

    comment.delete()
    last.delete()

    [note] = notes(creator)
    assert note.actor_id is None and note.comment_id is None and note.actor_count == 1


def test_followers_who_muted_new_videos_are_skipped(delivered, creator):
    fan, muted = UserFactory(), UserFactory()
    for follower in (fan, muted):
        FollowFactory(follower=follower, followee=creator)
    notification_preferences_set(user=muted, enabled={"new_video": False})
    video = VideoFactory(owner=creator)

    delivered(lambda: video_published_announce(video_id=video.pk))

    assert len(notes(fan)) == 1 and notes(muted) == []


def test_a_follow_request_asked_again_notifies_once(delivered):
    owner, fan = UserFactory(is_private=True), UserFactory()
    for _ in range(3):
        delivered(lambda: follow_create(follower=fan, followee=owner))
        delivered(lambda: follow_delete(follower=fan, followee=owner))
        notifications_mark_read(user=owner)

    assert len(notes(owner, NotificationKind.FOLLOW_REQUEST)) == 1


def test_one_author_s_mentions_tell_people_within_an_hourly_budget(
    delivered, video, settings, monkeypatch
):
    # Five comments naming the same person, then one naming another: past the author's budget
    # of three an hour they tell no one; another author still can, and once the hour has
    # slid past them (tiktok.allowances) the author can again.
    import tiktok.allowances as allowances

    settings.NOTIFICATIONS_MENTIONS_PER_HOUR = 3
    hour = 1_800_000_000.0
    monkeypatch.setattr(allowances.time, "time", lambda: hour)
    victim, other = UserFactory(username="victim"), UserFactory(username="other")
    spammer = UserFactory()
    for index in range(5):
        delivered(lambda i=index: comment_create(author=spammer, video=video, body=f"@victim {i}"))
    delivered(lambda: comment_create(author=spammer, video=video, body="hi @other"))
    assert len(notes(victim)) == 3
    assert notes(other) == []
    delivered(lambda: comment_create(author=UserFactory(), video=video, body="hi @other"))
    assert len(notes(other)) == 1
    hour += 3600 + 1800  # half of the earlier hour is still weighed: 6 uses count 3
    delivered(lambda: comment_create(author=spammer, video=video, body="@victim again"))
    assert len(notes(victim)) == 3
    hour += 1800
    delivered(lambda: comment_create(author=spammer, video=video, body="@victim again!"))
    assert len(notes(victim)) == 4


def test_mentions_that_tell_no_one_leave_the_authors_hourly_budget(delivered, video, settings):
    settings.NOTIFICATIONS_MENTIONS_PER_HOUR = 3
    notification_preferences_set(user=UserFactory(username="muter"), enabled={"mention": False})
    friend = UserFactory(username="friend")
    author = UserFactory()
    for _ in range(3):
        delivered(lambda: comment_create(author=author, video=video, body="hi @muter"))

    delivered(lambda: comment_create(author=author, video=video, body="hi @friend"))

    assert [n.kind for n in notes(friend)] == [NotificationKind.MENTION]


def test_a_video_made_public_again_tells_no_one_after_its_notifications_were_pruned(
    delivered, creator, settings
):
    from datetime import timedelta

    from django.utils import timezone

    from notifications.models import Notification
    from notifications.services import notifications_prune
    from videos.services.video_edit import video_update

    fan, friend = UserFactory(), UserFactory(username="friend")
    FollowFactory(follower=fan, followee=creator)
    video = VideoFactory(owner=creator, status=VideoStatus.READY, caption="with @friend")
    delivered(lambda: video_published_announce(video_id=video.pk))
    for person in (creator, fan, friend):
        notifications_mark_read(user=person)
    Notification.objects.update(
        updated_at=timezone.now() - timedelta(days=settings.NOTIFICATIONS_KEEP_READ_DAYS + 1)
    )
    notifications_prune()

    delivered(lambda: video_update(video=video, actor=creator, privacy=Privacy.PRIVATE))
    delivered(lambda: video_update(video=video, actor=creator, privacy=Privacy.PUBLIC))

    assert notes(creator) == [] and notes(fan) == [] and notes(friend) == []


def test_someone_who_followed_since_is_not_told_of_an_old_video_made_public_again(
    delivered, creator
):
    from videos.services.video_edit import video_update

    video = VideoFactory(owner=creator, status=VideoStatus.READY, privacy=Privacy.PUBLIC)
    delivered(lambda: video_published_announce(video_id=video.pk))
    late_fan = UserFactory()
    FollowFactory(follower=late_fan, followee=creator)

    delivered(lambda: video_update(video=video, actor=creator, privacy=Privacy.FOLLOWERS))
    delivered(lambda: video_update(video=video, actor=creator, privacy=Privacy.PUBLIC))

    assert notes(late_fan) == []


def test_a_video_first_published_private_tells_followers_once_when_it_goes_public(
    delivered, creator
):
    from videos.services.video_edit import video_update

    fan, friend = UserFactory(), UserFactory(username="pal")
    FollowFactory(follower=fan, followee=creator)
    video = VideoFactory(
        owner=creator, status=VideoStatus.READY, privacy=Privacy.PRIVATE, caption="hi @pal"
    )
    delivered(lambda: video_published_announce(video_id=video.pk))
    assert notes(fan) == [] and notes(friend) == []
    assert [n.kind for n in notes(creator)] == ["video_ready"]

    delivered(lambda: video_update(video=video, actor=creator, privacy=Privacy.PUBLIC))
    delivered(lambda: video_update(video=video, actor=creator, privacy=Privacy.PRIVATE))
    delivered(lambda: video_update(video=video, actor=creator, privacy=Privacy.PUBLIC))

    assert [n.kind for n in notes(fan)] == ["new_video"]
    assert [n.kind for n in notes(friend)] == ["mention"]
    assert [n.kind for n in notes(creator)] == ["video_ready"]


def test_a_video_first_published_private_tells_followers_when_it_goes_to_followers(
    delivered, creator
):
    from videos.services.video_edit import video_update

    fan, stranger, pal = UserFactory(), UserFactory(), UserFactory(username="pal")
    FollowFactory(follower=fan, followee=creator)
    FollowFactory(follower=pal, followee=creator)
    video = VideoFactory(
        owner=creator, status=VideoStatus.READY, privacy=Privacy.PRIVATE, caption="for @pal"
    )
    delivered(lambda: video_published_announce(video_id=video.pk))
    assert notes(fan) == []

    delivered(lambda: video_update(video=video, actor=creator, privacy=Privacy.FOLLOWERS))
    assert [n.kind for n in notes(fan)] == ["new_video"]
    assert len(notes(pal)) == 1  # a follower the caption names is told once
    assert notes(stranger) == []

    delivered(lambda: video_update(video=video, actor=creator, privacy=Privacy.PUBLIC))
    assert len(notes(fan)) == 1 and len(notes(pal)) == 1  # not told again
