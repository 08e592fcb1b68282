"""Studio reads: the signed-in creator's overview and one video's drill-down, from the
rollups (unique viewers over a whole range come from the log: daily uniques do not add up)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import Sum
from django.utils import timezone

from feed.models import Interaction
from profiles.models import User
from profiles.selectors import follower_count
from studio.figures import (
    DateRange,
    average,
    change,
    date_range_parse,
    histograms_sum,
    oldest_day,
    rate,
    retention_curve,
)
from studio.models import CreatorDay, VideoDay, VideoHour
from studio.rollups import MEASURES, day_bounds, viewer_key_sql
from tiktok.db.sql import table
from tiktok.errors import NotFound
from videos.models import Video

SUMMED = tuple(name for name in MEASURES if name != "unique_viewers")


def _today() -> dt.date:
    return timezone.now().astimezone(dt.UTC).date()


def studio_range(*, from_raw: str | None, to_raw: str | None) -> DateRange:
    return date_range_parse(
        from_raw=from_raw,
        to_raw=to_raw,
        today=_today(),
        retain_days=settings.STUDIO_RETAIN_DAYS,
    )


def _unique_viewers(*, creator_id: int, video_id: int | None, period: DateRange) -> int:
    """Distinct viewers (users, else session ids) who played the creator's videos in the
    period, read from the log (rollups keep per-day uniques, which do not add up)."""
    start, _ = day_bounds(period.first)
    _, end = day_bounds(period.last)
    video_filter = "AND i.video_id = %s" if video_id else ""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT count(DISTINCT {viewer_key_sql('i')}) "
            f"FROM {table(Interaction)} i JOIN {table(Video)} v ON v.id = i.video_id "
            f"WHERE v.owner_id = %s AND i.type = 'play' AND i.created_at >= %s "
            f"AND i.created_at < %s {video_filter}",
            [creator_id, start, end, *([video_id] if video_id else [])],
        )
        return cursor.fetchone()[0]


def _totals(rows: Any, *, creator_id: int, video_id: int | None, period: DateRange) -> dict:
    sums = rows.filter(day__gte=period.first, day__lte=period.last).aggregate(
        **{name: Sum(name) for name in SUMMED}
    )
    sums = {name: sums[name] or 0 for name in SUMMED}
    return {
        **sums,
        "unique_viewers": _unique_viewers(creator_id=creator_id, video_id=video_id, period=period),
        "avg_watch_ms": average(sums["watch_ms"], sums["watch_reports"]),
        "completion_rate": rate(sums["finishes"], sums["views"]),
    }


def _changes(current: dict, previous: dict) -> dict[str, float | None]:
    return {name: change(current[name], previous[name]) for name in current}


def _daily_series(rows: Any, period: DateRange) -> dict[str, list]:
    by_day = {
        row["day"]: row
        for row in rows.filter(day__gte=period.first, day__lte=period.last)
        .values("day")
        .annotate(**{name: Sum(name) for name in (*SUMMED, "unique_viewers")})
    }
    days = period.each_day()
    names = ("views", "unique_viewers", "watch_ms", "likes", "comments", "shares", "saves")
    series: dict[str, list] = {"days": [day.isoformat() for day in days]}
    for name in names:
        series[name] = [(by_day.get(day) or {}).get(name) or 0 for day in days]
    series["follows"] = [(by_day.get(day) or {}).get("follows") or 0 for day in days]
    return series


def _traffic_sources(*, where: str, params: list[Any]) -> dict[str, int]:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT s.key, sum(s.value::bigint) FROM {table(VideoDay)} d, "
            f"jsonb_each_text(d.traffic_sources) s WHERE {where} GROUP BY s.key "
            "ORDER BY 2 DESC, 1",
            params,
        )
        return dict(cursor.fetchall())


def _last_hours(rows: Any) -> dict[str, list]:
    now = timezone.now().astimezone(dt.UTC).replace(minute=0, second=0, microsecond=0)
    hours = [
        now - dt.timedelta(hours=back)
        for back in range(settings.STUDIO_HOURLY_KEEP_HOURS - 1, -1, -1)
    ]
    by_hour = {
        row["hour"]: row
        for row in rows.filter(hour__gte=hours[0])
        .values("hour")
        .annotate(views=Sum("views"), watch_ms=Sum("watch_ms"))
    }
    return {
        "hours": [hour.isoformat() for hour in hours],
        "views": [(by_hour.get(hour) or {}).get("views") or 0 for hour in hours],
        "watch_ms": [(by_hour.get(hour) or {}).get("watch_ms") or 0 for hour in hours],
    }


def _range_body(period: DateRange) -> dict[str, Any]:
    previous = period.previous()
    today = _today()
    return {
        "range": {"from": period.first.isoformat(), "to": period.last.isoformat()},
        "previous_range": {"from": previous.first.isoformat(), "to": previous.last.isoformat()},
        "days": period.days,
        "retain_days": settings.STUDIO_RETAIN_DAYS,
        # The days a range may span (UTC), and whether this one ends with today (so far: it is
        # compared with whole days).
        "today": today.isoformat(),
        "oldest": oldest_day(today=today, retain_days=settings.STUDIO_RETAIN_DAYS).isoformat(),
        "partial_day": period.last >= today,
    }


def studio_overview(*, creator: User, period: DateRange) -> dict[str, Any]:
    """Totals against the previous period, daily series, follower growth, traffic sources and
    top videos of the creator's own videos."""
    rows = VideoDay.objects.filter(creator=creator)
    totals = _totals(rows, creator_id=creator.pk, video_id=None, period=period)
    previous = _totals(rows, creator_id=creator.pk, video_id=None, period=period.previous())
    followers = {
        row["day"]: row
        for row in CreatorDay.objects.filter(
            creator=creator, day__gte=period.first, day__lte=period.last
        ).values("day", "followers_gained", "followers_lost", "unique_viewers")
    }
    days = period.each_day()
    gained = [(followers.get(day) or {}).get("followers_gained", 0) for day in days]
    lost = [(followers.get(day) or {}).get("followers_lost", 0) for day in days]
    previous_follows = CreatorDay.objects.filter(
        creator=creator, day__gte=period.previous().first, day__lte=period.previous().last
    ).aggregate(gained=Sum("followers_gained"), lost=Sum("followers_lost"))
    totals |= {"followers_gained": sum(gained), "followers_lost": sum(lost)}
    totals["followers_net"] = totals["followers_gained"] - totals["followers_lost"]
    previous["followers_gained"] = previous_follows["gained"] or 0
    previous["followers_lost"] = previous_follows["lost"] or 0
    previous["followers_net"] = previous["followers_gained"] - previous["followers_lost"]
    top = list(
        rows.filter(day__gte=period.first, day__lte=period.last)
        .values("video_id")
        .annotate(**{name: Sum(name) for name in SUMMED})
        .order_by("-views", "-watch_ms", "-video_id")[: settings.STUDIO_TOP_VIDEOS]
    )
    videos = Video.objects.in_bulk([row["video_id"] for row in top])
    return {
        **_range_body(period),
        "totals": totals,
        "previous_totals": previous,
        "changes": _changes(totals, previous),
        "series": {
            **_daily_series(rows, period),
            # the creator's own daily uniques (the videos' would count a fan of three videos
            # three times)
            "unique_viewers": [(followers.get(day) or {}).get("unique_viewers", 0) for day in days],
            "followers_gained": gained,
            "followers_lost": lost,
            "followers_net": [g - lost_ for g, lost_ in zip(gained, lost, strict=True)],
        },
        "followers": {"total": follower_count(creator)},
        "traffic_sources": _traffic_sources(
            where="d.creator_id = %s AND d.day >= %s AND d.day <= %s",
            params=[creator.pk, period.first, period.last],
        ),
        "last_hours": _last_hours(VideoHour.objects.filter(creator=creator)),
        "top_videos": [
            {
                "id": row["video_id"],
                "caption": videos[row["video_id"]].caption if row["video_id"] in videos else "",
                "privacy": videos[row["video_id"]].privacy if row["video_id"] in videos else "",
                "views": row["views"],
                "watch_ms": row["watch_ms"],
                "avg_watch_ms": average(row["watch_ms"], row["watch_reports"]),
                "completion_rate": rate(row["finishes"], row["views"]),
                "likes": row["likes"],
                "comments": row["comments"],
                "follows": row["follows"],
            }
            for row in top
        ],
    }


def studio_video(*, viewer: User, video_id: int, period: DateRange) -> dict[str, Any]:
    """One video's series, retention curve and traffic sources: its owner only. Another's
    video is NotFound like one that does not exist, so the studio never tells that a private
    or unpublished video is there."""
    video = Video.objects.filter(pk=video_id, owner_id=viewer.pk).first()
    if video is None:
        raise NotFound("no such video of yours", code="video_not_found")
    rows = VideoDay.objects.filter(video=video)
    totals = _totals(rows, creator_id=viewer.pk, video_id=video.pk, period=period)
    previous = _totals(rows, creator_id=viewer.pk, video_id=video.pk, period=period.previous())
    histogram = histograms_sum(
        rows.filter(day__gte=period.first, day__lte=period.last).values_list("retention", flat=True)
    )
    return {
        **_range_body(period),
        "video": {
            "id": video.pk,
            "caption": video.caption,
            "privacy": video.privacy,
            "duration_s": video.duration_s,
            "created_at": video.created_at.isoformat(),
        },
        "totals": totals,
        "previous_totals": previous,
        "changes": _changes(totals, previous),
        "series": _daily_series(rows, period),
        "retention": {"reports": sum(histogram), "curve": retention_curve(histogram)},
        "traffic_sources": _traffic_sources(
            where="d.video_id = %s AND d.day >= %s AND d.day <= %s",
            params=[video.pk, period.first, period.last],
        ),
        "last_hours": _last_hours(VideoHour.objects.filter(video=video)),
    }
