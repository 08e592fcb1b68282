"""A creator as viewers see them: the profile header with the counts of what they posted, and
the lists of a user's videos, likes and saves (each limited to videos the viewer may see)."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, QuerySet, Sum

from profiles.models import User
from profiles.selectors import blocked_either_way, profile_header
from profiles.viewers import is_signed_in
from videos.models import Like, Save, Video
from videos.visibility import visible_videos


def creator_profile(*, user: User, viewer: Any) -> dict[str, Any]:
    """The profile as this viewer sees it: counts only cover videos the viewer may see."""
    header = profile_header(user=user, viewer=viewer)
    if header["restricted"]:
        header["counts"].update(likes=0, videos=0)
        return header
    totals = user_videos(user=user, viewer=viewer).aggregate(
        videos=Count("id"), likes=Sum("like_count")
    )
    header["counts"].update(likes=totals["likes"] or 0, videos=totals["videos"])
    return header


def user_videos(*, user: User, viewer: Any) -> QuerySet[Video]:
    """A creator's videos this viewer may see; the creator also sees unready ones."""
    return visible_videos(viewer=viewer, include_own_unready=True).filter(owner=user)


def user_liked(*, user: User, viewer: Any) -> QuerySet[Like]:
    """Likes by this user on videos the viewer may see (paginate by like time); none across a
    block, either way."""
    if is_signed_in(viewer) and viewer.pk != user.pk and blocked_either_way(user, viewer):
        return Like.objects.none()
    visible = visible_videos(viewer=viewer).values("pk")
    return Like.objects.filter(user=user, video__in=visible).select_related("video")


def user_saved(*, user: User) -> QuerySet[Save]:
    """The user's own saves of videos they may still see."""
    visible = visible_videos(viewer=user).values("pk")
    return Save.objects.filter(user=user, video__in=visible).select_related("video")
