"""Creator analytics totals (GET /api/me/analytics, kept from before the dashboard): per-video
counters and the interaction log, and followers gained recently."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db.models import Count, Q, Sum
from django.utils import timezone

from feed.models import Interaction
from profiles.models import Follow, User
from videos.models import Video

MAX_ANALYTICS_VIDEOS = 500
FOLLOWER_WINDOWS_DAYS = (7, 28)


def _rate(numerator: int, denominator: int) -> float | None:
    if not denominator:
        return None
    return round(min(1.0, numerator / denominator), 4)


def creator_analytics(*, user: User) -> dict[str, Any]:
    """Per-video and total engagement of a creator's videos, from counters and the
    interaction log, plus followers gained recently (current followers who followed within
    the window; unfollows remove the row)."""
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
