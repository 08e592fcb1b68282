"""Notifications: one row per thing to tell a user, grouped while unread ("alice and 12 others
liked your video"), with the people in each group and each user's muted kinds."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from videos.models import Comment, Video


class NotificationKind(models.TextChoices):
    FOLLOW = "follow", "New follower"
    FOLLOW_REQUEST = "follow_request", "Follow request"
    FOLLOW_APPROVED = "follow_approved", "Follow request approved"
    LIKE = "like", "Like on your video"
    COMMENT = "comment", "Comment on your video"
    REPLY = "reply", "Reply to your comment"
    MENTION = "mention", "Mention"
    NEW_VIDEO = "new_video", "New video from someone you follow"
    VIDEO_READY = "video_ready", "Your video is published"
    VIDEO_FAILED = "video_failed", "Your video could not be processed"
    SHARE = "share", "Video shared with you"
    REPORT_OUTCOME = "report_outcome", "Outcome of your report"
    DATA_EXPORT_READY = "data_export_ready", "Your data archive is ready"


class Notification(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=32, choices=NotificationKind.choices)
    # The most recent person in the group (None for system notifications, or once they deleted
    # their account: the group stays, told from its NotificationActor rows).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="notifications_caused",
    )
    actor_count = models.PositiveIntegerField(default=0)
    video = models.ForeignKey(Video, on_delete=models.CASCADE, null=True, blank=True)
    # The latest comment of the group; its removal does not remove the group.
    comment = models.ForeignKey(Comment, on_delete=models.SET_NULL, null=True, blank=True)
    # What groups notifications: the kind and its target ("like:video:7"). While a group is
    # unread, news of the same key joins it instead of making another row.
    group_key = models.CharField(max_length=128)
    data = models.JSONField(default=dict, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [
            models.Index(fields=["recipient", "-updated_at", "-id"]),
            models.Index(
                fields=["recipient"], condition=Q(read_at__isnull=True), name="notification_unread"
            ),
            models.Index(fields=["recipient", "group_key"]),
        ]
        constraints = [
            # At most one open (unread) group per key: concurrent deliveries join it.
            models.UniqueConstraint(
                fields=["recipient", "group_key"],
                condition=Q(read_at__isnull=True),
                name="one_unread_group_per_key",
            )
        ]


class NotificationActor(models.Model):
    """Who is in a group; also how an actor is told apart from one already counted (a like,
    unlike and like again notifies once)."""

    notification = models.ForeignKey(Notification, on_delete=models.CASCADE, related_name="actors")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["notification", "actor"], name="actor_once_per_group")
        ]
        indexes = [
            models.Index(fields=["actor", "notification"]),
            # A group's latest people, read from the newest end (`group_people_latest`).
            models.Index(
                fields=["notification", "-created_at", "-id"], name="notif_actor_latest_idx"
            ),
        ]


class NotificationPreference(models.Model):
    """The kinds a user has turned off (absent row: everything on)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preference"
    )
    muted_kinds = models.JSONField(default=list, blank=True)


class AnnouncedVideo(models.Model):
    """A video whose publication was told: its owner that it is out (`announced_at`), and once it
    reached an audience (`audience_told_at`) followers that it is new and its caption's
    mentions. A video made public again later is not news, even once those notifications were
    read and pruned; one first published private tells its followers when it goes public."""

    video = models.OneToOneField(
        Video, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    announced_at = models.DateTimeField(auto_now_add=True)
    audience_told_at = models.DateTimeField(null=True, blank=True)
