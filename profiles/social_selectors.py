"""Social-graph reads: profiles with counts, a creator's lists, the following feed, analytics."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.http import Http404
from django.utils import timezone

from profiles.models import Block, Follow, User
from videos.models import Like, Save, Video
from videos.visibility import visible_videos

MAX_ANALYTICS_VIDEOS = 500
FOLLOWER_WINDOWS_DAYS = (7, 28)


def user_by_username(*, username: str) -> User:
    """An active user by username (case-insensitive, as registration is), else 404."""
    user = User.objects.filter(username__iexact=username, is_active=True).first()
    if user is None:
        raise Http404("no such user")
    return user


def _is_authenticated(viewer) -> bool:  # noqa: ANN001
    return bool(getattr(viewer, "is_authenticated", False))


def profile_json(*, user: User, viewer) -> dict[str, Any]:  # noqa: ANN001
    """The profile as this viewer sees it: counts only cover videos the viewer may see."""
    videos = visible_videos(viewer=viewer, include_own_unready=True).filter(owner=user)
    totals = videos.aggregate(videos=Count("id"), likes=Sum("like_count"))
    following = is_self = blocked = False
    if _is_authenticated(viewer):
        is_self = viewer.pk == user.pk
        following = Follow.objects.filter(follower=viewer, followee=user).exists()
        blocked = Block.objects.filter(blocker=viewer, blocked=user).exists()
    return {
        "id": user.pk,
        "username": user.username,
        "display_name": user.display_name or user.username,
        "bio": user.bio,
        "avatar_url": user.avatar.url if user.avatar else None,
        "counts": {
            "followers": Follow.objects.filter(followee=user).count(),
            "following": Follow.objects.filter(follower=user).count(),
            "likes": totals["likes"] or 0,
            "videos": totals["videos"],
        },
        "viewer": {"following": following, "is_self": is_self, "blocked": blocked},
    }


def user_videos(*, user: User, viewer) -> QuerySet[Video]:  # noqa: ANN001
    """A creator's videos this viewer may see; the creator also sees unready ones."""
    return visible_videos(viewer=viewer, include_own_unready=True).filter(owner=user)


def user_liked(*, user: User, viewer) -> QuerySet[Like]:  # noqa: ANN001
    """Likes by this user on videos the viewer may see (paginate by like time)."""
    visible = visible_videos(viewer=viewer).values("pk")
    return Like.objects.filter(user=user, video__in=visible).select_related("video")


def user_saved(*, user: User) -> QuerySet[Save]:
    """The user's own saves of videos they may still see."""
    visible = visible_videos(viewer=user).values("pk")
    return Save.objects.filter(user=user, video__in=visible).select_related("video")


def following_feed(*, viewer: User) -> QuerySet[Video]:
    """Ready videos of creators the viewer follows, that the viewer may see."""
    followees = Follow.objects.filter(follower=viewer).values("followee_id")
    return visible_videos(viewer=viewer).filter(owner_id__in=followees)


def _rate(numerator: int, denominator: int) -> float | None:
    if not denominator:
        return None
    return round(min(1.0, numerator / denominator), 4)


def creator_analytics(*, user: User) -> dict[str, Any]:
    """Per-video and total engagement of a creator's videos, from counters and the
    interaction log, plus followers gained recently (current followers who followed within
    the window; unfollows remove the row)."""
    from feed.models import Interaction

    per_video = {
        row["video_id"]: row
        for row in Interaction.objects.filter(video__owner=user)
        .values("video_id")
        .annotate(
            impressions=Count("id", filter=Q(type="impression")),
            plays=Count("id", filter=Q(type="play")),
            finishes=Count("id", filter=Q(type="finish")),
            watch_ms_total=Sum("watch_ms"),
            watch_reports=Count("id", filter=Q(watch_ms__gt=0)),
        )
    }
    videos = list(Video.objects.filter(owner=user).order_by("-created_at", "-id"))
    empty = {"impressions": 0, "plays": 0, "finishes": 0, "watch_ms_total": 0, "watch_reports": 0}
    counter_names = ("views", "likes", "comments", "saves", "shares")
    event_names = ("impressions", "plays", "finishes", "watch_ms_total", "watch_reports")
    totals = dict.fromkeys(counter_names + event_names, 0)
    rows = []
    for video in videos:
        events = per_video.get(video.pk, empty)
        counters = {
            "views": video.view_count,
            "likes": video.like_count,
            "comments": video.comment_count,
            "saves": video.save_count,
            "shares": video.share_count,
        }
        for name in counter_names:
            totals[name] += counters[name]
        for name in event_names:
            totals[name] += events[name] or 0
        rows.append(
            {
                "id": video.pk,
                "caption": video.caption,
                "status": video.status,
                "privacy": video.privacy,
                "created_at": video.created_at.isoformat(),
                **counters,
                "impressions": events["impressions"],
                "plays": events["plays"],
                "finishes": events["finishes"],
                "avg_watch_ms": _average_ms(events["watch_ms_total"], events["watch_reports"]),
                "completion_rate": _rate(events["finishes"], events["plays"]),
            }
        )
    now = timezone.now()
    followers = Follow.objects.filter(followee=user)
    return {
        "totals": {
            **{name: totals[name] for name in counter_names},
            "impressions": totals["impressions"],
            "plays": totals["plays"],
            "finishes": totals["finishes"],
            "avg_watch_ms": _average_ms(totals["watch_ms_total"], totals["watch_reports"]),
            "completion_rate": _rate(totals["finishes"], totals["plays"]),
            "videos": len(videos),
        },
        "followers": {
            "total": followers.count(),
            **{
                f"gained_{days}d": followers.filter(
                    created_at__gte=now - timedelta(days=days)
                ).count()
                for days in FOLLOWER_WINDOWS_DAYS
            },
        },
        "videos": rows[:MAX_ANALYTICS_VIDEOS],
    }


def _average_ms(total_ms: int | None, reports: int) -> int | None:
    if not reports:
        return None
    return round((total_ms or 0) / reports)
