"""Creator analytics totals (GET /api/me/analytics, kept from before the dashboard): per-video
counters and the interaction log, and followers gained recently."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db.models import Count, Q, Sum
from django.utils import timezone

from feed.models import Interaction
from profiles.models import Follow, User
from profiles.selectors import follower_count
from studio.rollups import WATCH_REPORT_TYPES
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
            # Only the reports of where a watch ended: a finish or rewatch carries a running
            # total, so summing every event's watch_ms counted one view's time two or three
            # times (the studio's rollups count the same way).
            watch_ms_total=Sum("watch_ms", filter=Q(type__in=WATCH_REPORT_TYPES)),
            watch_reports=Count("id", filter=Q(type__in=WATCH_REPORT_TYPES)),
        )
    }
    owned = Video.objects.filter(owner=user)
    counted = owned.aggregate(
        videos=Count("id"),
        views=Sum("view_count"),
        likes=Sum("like_count"),
        comments=Sum("comment_count"),
        saves=Sum("save_count"),
        shares=Sum("share_count"),
    )
    # Rows for the newest MAX_ANALYTICS_VIDEOS only; the totals are over every video.
    videos = list(owned.order_by("-created_at", "-id")[:MAX_ANALYTICS_VIDEOS])
    empty = {"impressions": 0, "plays": 0, "finishes": 0, "watch_ms_total": 0, "watch_reports": 0}
    counter_names = ("views", "likes", "comments", "saves", "shares")
    event_names = ("impressions", "plays", "finishes", "watch_ms_total", "watch_reports")
    totals = {name: counted[name] or 0 for name in counter_names}
    for events in per_video.values():
        for name in event_names:
            totals[name] = totals.get(name, 0) + (events[name] or 0)
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
    # as the followers list and the profile count them: a suspended follower is in neither
    followers = Follow.objects.filter(followee=user, follower__is_active=True)
    return {
        "totals": {
            **{name: totals[name] for name in counter_names},
            "impressions": totals.get("impressions", 0),
            "plays": totals.get("plays", 0),
            "finishes": totals.get("finishes", 0),
            "avg_watch_ms": _average_ms(
                totals.get("watch_ms_total", 0), totals.get("watch_reports", 0)
            ),
            "completion_rate": _rate(totals.get("finishes", 0), totals.get("plays", 0)),
            "videos": counted["videos"],
        },
        "followers": {
            "total": follower_count(user),
            **{
                f"gained_{days}d": followers.filter(
                    created_at__gte=now - timedelta(days=days)
                ).count()
                for days in FOLLOWER_WINDOWS_DAYS
            },
        },
        "videos": rows,
    }


def _average_ms(total_ms: int | None, reports: int) -> int | None:
    if not reports:
        return None
    return round((total_ms or 0) / reports)
