"""What each event means for whom: turns an event from the apps below (a like, a comment, a
follow, a published video, a share, a resolved report) into notices, checking at delivery time
that what happened still holds (a like undone before delivery tells no one)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection
from typing import Any

from django.conf import settings
from django.utils import timezone

from notifications.mentions import mentioned_usernames
from notifications.models import AnnouncedVideo, Notification, NotificationKind
from notifications.selectors import muted_kinds
from notifications.services import Notice, new_video_fanout, new_video_key, notification_add
from profiles.models import Follow, FollowRequest, User
from tiktok.allowances import Taken, allowance_refund, allowance_take
from tiktok.errors import NotFound
from videos.models import Comment, Like, Privacy, Share, Video, VideoStatus
from videos.selectors.engagement import comment_readable_for_viewer
from videos.visibility import video_visible_to

logger = logging.getLogger(__name__)


def _mention_budget_take(author_id: int) -> Taken:
    """One of the author's NOTIFICATIONS_MENTIONS_PER_HOUR mention notices in the last hour:
    not allowed once they are used up."""
    return allowance_take(
        f"notifications:mentions:{author_id}",
        limit=settings.NOTIFICATIONS_MENTIONS_PER_HOUR,
        window_s=3600,
    )


def _mentioned_users(text: str) -> list[User]:
    """The active accounts a text mentions, each once, in the order named."""
    users = []
    for name in mentioned_usernames(text):
        user = User.objects.filter(username__iexact=name, is_active=True).first()
        if user is not None:
            users.append(user)
    return users


def _mentions(
    *,
    users: list[User],
    author_id: int,
    video: Video,
    key: str,
    where: str,
    already_told: Collection[int] = (),
    comment_id: int | None = None,
) -> int:
    """Notify the mentioned users who may see the video (a followers-only video does not reach
    a non-follower by mentioning them) and, for a comment, read it in its thread (not a reply
    under a comment by someone who blocked them), within the author's hourly mention budget.
    Those the same text already told otherwise (the owner of the video commented on, the
    author replied to, a follower told of the new video) are not told twice."""
    told = 0
    for user in users:
        if (
            user.pk == author_id
            or user.pk in already_told
            or not video_visible_to(video=video, viewer=user)
            or (comment_id is not None and not _comment_readable(comment_id, user))
        ):
            continue
        budget = _mention_budget_take(author_id)
        if not budget.allowed:
            logger.info("mention by user %s told no one: past the hourly budget", author_id)
            break
        notice = Notice(
            recipient_id=user.pk,
            kind=NotificationKind.MENTION,
            group_key=key,
            actor_id=author_id,
            video_id=video.pk,
            comment_id=None,
            data={"in": where},
        )
        if notification_add(notice) is None:
            allowance_refund(budget)  # the budget counts people told, not attempts
        else:
            told += 1
    return told


def _comment_readable(comment_id: int, user: User) -> bool:
    try:
        comment_readable_for_viewer(comment_id=comment_id, viewer=user)
    except NotFound:
        return False
    return True


def on_like(*, user_id: int, video_id: int) -> int:
    like = Like.objects.filter(user_id=user_id, video_id=video_id).select_related("video").first()
    if like is None:  # unliked before delivery
        return 0
    notice = Notice(
        recipient_id=like.video.owner_id,
        kind=NotificationKind.LIKE,
        group_key=f"like:video:{video_id}",
        actor_id=user_id,
        video_id=video_id,
    )
    return int(notification_add(notice) is not None)


def on_follow(*, follower_id: int, followee_id: int) -> int:
    if not Follow.objects.filter(follower_id=follower_id, followee_id=followee_id).exists():
        return 0
    notice = Notice(
        recipient_id=followee_id,
        kind=NotificationKind.FOLLOW,
        group_key="follow",
        actor_id=follower_id,
    )
    return int(notification_add(notice) is not None)


def on_follow_request(*, requester_id: int, target_id: int) -> int:
    if not FollowRequest.objects.filter(requester_id=requester_id, target_id=target_id).exists():
        return 0
    notice = Notice(
        recipient_id=target_id,
        kind=NotificationKind.FOLLOW_REQUEST,
        group_key="follow_request",
        actor_id=requester_id,
        # Once per requester: withdrawing and asking again cannot flood the owner (a request
        # asked again still waits in the inbox on /notifications).
    )
    return int(notification_add(notice) is not None)


def on_follow_approved(*, requester_id: int, target_id: int) -> int:
    # As a follow: approved and then removed (or blocked) before delivery tells no one.
    if not Follow.objects.filter(follower_id=requester_id, followee_id=target_id).exists():
        return 0
    notice = Notice(
        recipient_id=requester_id,
        kind=NotificationKind.FOLLOW_APPROVED,
        group_key=f"follow_approved:user:{target_id}",
        actor_id=target_id,
    )
    return int(notification_add(notice) is not None)


def _comment_notice(
    comment: Comment, recipient_id: int, kind: str, replied_to: Comment | None
) -> Notice:
    """A comment's news for the video's owner (grouped per video) or for the author of the
    comment it answers (grouped per answered comment)."""
    return Notice(
        recipient_id=recipient_id,
        kind=kind,
        group_key=(
            f"reply:comment:{replied_to.pk}"
            if replied_to is not None
            else f"comment:video:{comment.video_id}"
        ),
        actor_id=comment.author_id,
        video_id=comment.video_id,
        comment_id=comment.pk,
        once=False,
    )


def on_comment(*, comment_id: int, replied_to_id: int | None) -> int:
    comment = Comment.objects.filter(pk=comment_id).select_related("video").first()
    if comment is None:  # deleted before delivery
        return 0
    video = comment.video
    replied_to = (
        Comment.objects.filter(pk=replied_to_id).select_related("author").first()
        if replied_to_id
        else None
    )
    notices = []
    # A reply to the owner's own comment is one notice for them: a reply, or, when they muted
    # replies and not comments, a comment on their video (they heard nothing of it).
    owner_as_commenter = (
        replied_to is not None
        and replied_to.author_id == video.owner_id
        and NotificationKind.REPLY not in muted_kinds(user_id=video.owner_id)
    )
    # Someone who lost sight of the video since (unfollowed, blocked) is not told its news.
    if (
        replied_to is not None
        and (replied_to.author_id != video.owner_id or owner_as_commenter)
        and video_visible_to(video=video, viewer=replied_to.author)
    ):
        notices.append(
            _comment_notice(comment, replied_to.author_id, NotificationKind.REPLY, replied_to)
        )
    if not owner_as_commenter:
        notices.append(_comment_notice(comment, video.owner_id, NotificationKind.COMMENT, None))
    told_ids = {notice.recipient_id for notice in notices if notification_add(notice) is not None}
    return len(told_ids) + _mentions(
        users=_mentioned_users(comment.body),
        author_id=comment.author_id,
        video=video,
        key=f"mention:comment:{comment.pk}",
        where="comment",
        already_told=told_ids,
        comment_id=comment.pk,
    )


def on_video_published(*, video_id: int) -> int:
    """The owner is told their video is out (on its first publication), followers that there
    is a new video and people the caption mentions that they were mentioned (once, when it
    first reaches an audience: published public or to followers, or made so later). A
    reprocess, or the video made public again after a privacy change, tells no one again,
    even once the first notifications were read and pruned (`AnnouncedVideo`)."""
    video = Video.objects.filter(pk=video_id, status=VideoStatus.READY).first()
    if video is None:
        return 0
    record = AnnouncedVideo.objects.filter(video_id=video.pk).first()
    told = 0
    if record is None:
        # Told before it is recorded: a delivery cut short is retried in full (the notice's
        # group key keeps a second copy out).
        told += int(
            notification_add(
                Notice(
                    recipient_id=video.owner_id,
                    kind=NotificationKind.VIDEO_READY,
                    group_key=f"video_ready:video:{video.pk}",
                    video_id=video.pk,
                )
            )
            is not None
        )
        record, _ = AnnouncedVideo.objects.get_or_create(video_id=video.pk)
    if (
        record.audience_told_at is None
        and video.hidden_at is None
        and video.privacy != Privacy.PRIVATE
    ):
        told += new_video_fanout(video_id=video.pk, owner_id=video.owner_id, privacy=video.privacy)
        mentioned = _mentioned_users(video.caption)
        told_of_video = Notification.objects.filter(
            group_key=new_video_key(video.pk), recipient_id__in=[user.pk for user in mentioned]
        ).values_list("recipient_id", flat=True)
        told += _mentions(
            users=mentioned,
            author_id=video.owner_id,
            video=video,
            key=f"mention:video:{video.pk}",
            where="video",
            already_told=set(told_of_video),
        )
        AnnouncedVideo.objects.filter(pk=record.pk).update(audience_told_at=timezone.now())
    return told


def on_video_failed(*, video_id: int) -> int:
    video = Video.objects.filter(pk=video_id, status=VideoStatus.FAILED).first()
    if video is None:
        return 0
    notice = Notice(
        recipient_id=video.owner_id,
        kind=NotificationKind.VIDEO_FAILED,
        group_key=f"video_failed:video:{video.pk}",
        video_id=video.pk,
        data={"reason": video.failure_reason.split(":", 1)[0][:200]},
    )
    return int(notification_add(notice) is not None)


def on_share(*, share_id: int) -> int:
    share = (
        Share.objects.filter(pk=share_id, recipient__isnull=False)
        .select_related("video", "recipient")
        .first()
    )
    if share is None or share.user_id is None:
        return 0
    # Someone who lost sight of the video since it was shared (unfollowed a followers-only
    # creator, a block, the video made private) is not told of it.
    if not video_visible_to(video=share.video, viewer=share.recipient):
        return 0
    notice = Notice(
        recipient_id=share.recipient_id,
        kind=NotificationKind.SHARE,
        group_key=f"share:video:{share.video_id}",
        actor_id=share.user_id,
        video_id=share.video_id,
    )
    return int(notification_add(notice) is not None)


def on_report_resolved(
    *, case_id: int, kind: str, outcome: str, reporter_ids: list[int], **_: Any
) -> int:
    told = 0
    for reporter_id in reporter_ids:
        notice = Notice(
            recipient_id=reporter_id,
            kind=NotificationKind.REPORT_OUTCOME,
            group_key=f"report:case:{case_id}",
            data={"item": kind, "outcome": outcome},
        )
        told += notification_add(notice) is not None
    return told


DELIVERIES: dict[str, Callable[..., int]] = {
    "like": on_like,
    "follow": on_follow,
    "follow_request": on_follow_request,
    "follow_approved": on_follow_approved,
    "comment": on_comment,
    "video_published": on_video_published,
    "video_failed": on_video_failed,
    "share": on_share,
    "report_resolved": on_report_resolved,
}


def event_deliver(*, event: str, payload: dict[str, Any]) -> int:
    """Deliver one event; returns how many notifications it added or grew."""
    return DELIVERIES[event](**payload)
