"""Moderation's writes on videos and comments: hiding them from everyone but their owner (see
videos.visibility) and showing them again. Moderation decides; this module only stores it."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from profiles.models import User
from videos.models import Comment, Video

# Why a video is hidden (Video.hidden_reason).
HIDDEN_PENDING_REVIEW = "pending_review"  # many reports, waiting for a moderator
HIDDEN_BY_MODERATOR = "moderator"
HIDDEN_OWNER_SUSPENDED = "owner_suspended"


def video_hide(*, video: Video, reason: str) -> bool:
    """Hide a video (a hidden one keeps its first reason and time); returns whether it changed."""
    changed = Video.objects.filter(pk=video.pk, hidden_at__isnull=True).update(
        hidden_at=timezone.now(), hidden_reason=reason
    )
    video.refresh_from_db(fields=["hidden_at", "hidden_reason"])
    return bool(changed)


def video_hidden_reason_set(*, video: Video, reason: str) -> None:
    """Hide a video for this reason, replacing another (a moderator confirms a pending hide)."""
    Video.objects.filter(pk=video.pk).update(
        hidden_at=video.hidden_at or timezone.now(), hidden_reason=reason
    )
    video.refresh_from_db(fields=["hidden_at", "hidden_reason"])


def video_unhide(*, video: Video, only_reason: str | None = None) -> bool:
    """Show a hidden video again (only if hidden for `only_reason`, when given). A video whose
    owner is suspended stays hidden, now for the suspension (reinstating the owner shows it):
    lifting one decision never undoes another."""
    videos = Video.objects.filter(pk=video.pk, hidden_at__isnull=False)
    if only_reason is not None:
        videos = videos.filter(hidden_reason=only_reason)
    owner_suspended = Exists(
        User.objects.filter(pk=OuterRef("owner_id")).filter(
            Q(suspended_at__isnull=False) | Q(is_active=False)
        )
    )
    videos.filter(owner_suspended).update(hidden_reason=HIDDEN_OWNER_SUSPENDED)
    changed = videos.exclude(owner_suspended).update(hidden_at=None, hidden_reason="")
    video.refresh_from_db(fields=["hidden_at", "hidden_reason"])
    return bool(changed)


@transaction.atomic
def owner_videos_hide(*, owner_id: int, reason: str) -> int:
    """Hide every not yet hidden video of an account (it was suspended); returns how many."""
    return Video.objects.filter(owner_id=owner_id, hidden_at__isnull=True).update(
        hidden_at=timezone.now(), hidden_reason=reason
    )


@transaction.atomic
def owner_videos_unhide(*, owner_id: int, reason: str) -> int:
    """Show again the account's videos hidden for this reason (others stay hidden)."""
    return Video.objects.filter(owner_id=owner_id, hidden_reason=reason).update(
        hidden_at=None, hidden_reason=""
    )


def comment_hide(*, comment: Comment) -> bool:
    changed = Comment.objects.filter(pk=comment.pk, hidden_at__isnull=True).update(
        hidden_at=timezone.now()
    )
    comment.refresh_from_db(fields=["hidden_at"])
    return bool(changed)


def comment_unhide(*, comment: Comment) -> bool:
    changed = Comment.objects.filter(pk=comment.pk, hidden_at__isnull=False).update(hidden_at=None)
    comment.refresh_from_db(fields=["hidden_at"])
    return bool(changed)
