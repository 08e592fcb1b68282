"""Likes, saves, shares and comments on videos."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from videos.models.video import Video

MAX_COMMENT_CHARS = 500


class Like(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="likes"
    )
    video = models.ForeignKey(Video, on_delete=models.CASCADE, related_name="likes")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "video"], name="like_once")]
        # A person's likes, newest first (their Liked tab pages by it).
        indexes = [models.Index(fields=["user", "-created_at", "-id"], name="like_user_recent")]


class Save(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saves"
    )
    video = models.ForeignKey(Video, on_delete=models.CASCADE, related_name="saves")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "video"], name="save_once")]
        # A person's saves, newest first (their Saved tab pages by it).
        indexes = [models.Index(fields=["user", "-created_at", "-id"], name="save_user_recent")]


class Share(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="shares"
    )
    video = models.ForeignKey(Video, on_delete=models.CASCADE, related_name="shares")
    channel = models.CharField(max_length=32, blank=True)
    # Set for an in-app share to another user (channel "user"); they are notified.
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="shares_received",
    )
    created_at = models.DateTimeField(auto_now_add=True)


class Comment(models.Model):
    video = models.ForeignKey(Video, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="comments"
    )
    # Replies are one level deep: a reply's parent is always a top-level comment.
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="replies"
    )
    body = models.TextField(max_length=MAX_COMMENT_CHARS)
    like_count = models.PositiveBigIntegerField(default=0)
    # Set when moderation hides the comment pending review (many reports); removal deletes it.
    hidden_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["video", "parent", "-created_at"])]


class CommentLike(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="comment_likes"
    )
    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="likes")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "comment"], name="comment_like_once")
        ]
