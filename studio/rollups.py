"""Rollups of creator analytics: a period (a UTC day or hour) is recomputed from the
append-only interaction log, the comment rows and the follow log, and its rows replaced in one
transaction, so running a rollup twice, late or concurrently gives the same rows.

Definitions (docs/studio.md):
- views: `play` events; unique viewers: distinct signed-in users, else distinct client
  session ids, among them (anonymous plays count: these are the creator's own figures);
- watch time: the `watch_ms` of `pause` and `skip` events, the ones a client sends when a view
  ends, carrying that view's whole watched time (`finish`/`rewatch` carry running totals and
  would count it twice); each is one watch report, and the retention histogram buckets them;
- likes, saves: viewers whose latest `like`/`unlike` (`save`/`unsave`) event of the video in
  the period is a like (save): a like taken back in the period is none, toggling counts once;
  shares: `share` events; comments: comment rows;
- follows: starts of a follow of the creator whose follower interacted with one of the
  creator's videos within STUDIO_FOLLOW_ATTRIBUTION_MINUTES before: the last such video gets it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.utils import timezone

from feed.models import Interaction
from studio.models import CreatorDay, FollowChange, VideoDay, VideoHour
from tiktok.db.sql import table
from videos.models import Comment, Video

WATCH_REPORT_TYPES = ("pause", "skip")


def viewer_key_sql(alias: str) -> str:
    """Who an interaction's viewer is, as SQL on the interaction `alias` ("i", or "" for the
    bare table): the user, else the client session, else the event alone."""
    p = f"{alias}." if alias else ""
    return (
        f"CASE WHEN {p}user_id IS NOT NULL THEN 'u' || {p}user_id "
        f"WHEN {p}session_id <> '' THEN 's' || {p}session_id ELSE 'e' || {p}id END"
    )


# One lock for every rollup write: two runs of the same period never interleave their
# delete and insert.
ROLLUP_LOCK_KEY = 7_402_117
# The last hour and day the beat's rollups recomputed (Redis), and how many days back a run
# after a stop catches up at most.
ROLLED_HOURS_KEY = "studio:rolled-through:hour"
ROLLED_DAYS_KEY = "studio:rolled-through:day"
STUDIO_CATCH_UP_DAYS = 7
# A follow is credited to the creator's video the follower touched nearest to it, up to
# STUDIO_FOLLOW_ATTRIBUTION_MINUTES before and this long after: clients send their events in
# batches (the web client every 4 s), so the video playing when Follow was tapped may be logged
# just after the follow.
FOLLOW_EVENTS_LATE_SECONDS = 15

MEASURES = (
    "views",
    "unique_viewers",
    "watch_ms",
    "watch_reports",
    "finishes",
    "likes",
    "comments",
    "shares",
    "saves",
    "follows",
)


def day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime.combine(day, dt.time.min, tzinfo=dt.UTC)
    return start, start + dt.timedelta(days=1)


def hour_floor(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(dt.UTC).replace(minute=0, second=0, microsecond=0)


def _rows(sql: str, params: list[Any]) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def video_measures(
    *, start: dt.datetime, end: dt.datetime, retention: bool
) -> dict[int, dict[str, Any]]:
    """Each video's measures over [start, end), keyed by video id (videos with any activity)."""
    interaction, video, comment = table(Interaction), table(Video), table(Comment)
    measures: dict[int, dict[str, Any]] = {}

    def row_for(video_id: int, owner_id: int) -> dict[str, Any]:
        if video_id not in measures:
            measures[video_id] = {
                "creator_id": owner_id,
                **dict.fromkeys(MEASURES, 0),
                "traffic_sources": {},
                "retention": [],
            }
        return measures[video_id]

    for video_id, owner_id, *counts in _rows(
        f"SELECT i.video_id, v.owner_id, "
        "count(*) FILTER (WHERE i.type = 'play'), "
        f"count(DISTINCT CASE WHEN i.type = 'play' THEN {viewer_key_sql('i')} END), "
        "coalesce(sum(i.watch_ms) FILTER (WHERE i.type = ANY(%s)), 0), "
        "count(*) FILTER (WHERE i.type = ANY(%s)), "
        "count(*) FILTER (WHERE i.type = 'finish'), "
        "count(*) FILTER (WHERE i.type = 'share') "
        f"FROM {interaction} i JOIN {video} v ON v.id = i.video_id "
        "WHERE i.created_at >= %s AND i.created_at < %s GROUP BY i.video_id, v.owner_id",
        [list(WATCH_REPORT_TYPES), list(WATCH_REPORT_TYPES), start, end],
    ):
        names = ("views", "unique_viewers", "watch_ms", "watch_reports", "finishes", "shares")
        row_for(video_id, owner_id).update(zip(names, counts, strict=True))

    # Likes and saves: each viewer's latest like/unlike (save/unsave) of the video counts.
    for video_id, owner_id, likes, saves in _rows(
        "SELECT video_id, owner_id, count(*) FILTER (WHERE type = 'like'), "
        "count(*) FILTER (WHERE type = 'save') FROM ("
        "  SELECT DISTINCT ON (viewer, i.video_id, kind) i.video_id, v.owner_id, i.type FROM ("
        "    SELECT video_id, type, created_at, id, "
        f"    {viewer_key_sql('')} AS viewer, "
        "    CASE WHEN type IN ('like', 'unlike') THEN 'like' ELSE 'save' END AS kind "
        f"    FROM {interaction} WHERE type IN ('like', 'unlike', 'save', 'unsave') "
        "    AND created_at >= %s AND created_at < %s) i "
        f"  JOIN {video} v ON v.id = i.video_id "
        "  ORDER BY viewer, i.video_id, kind, i.created_at DESC, i.id DESC) latest "
        "GROUP BY video_id, owner_id",
        [start, end],
    ):
        row_for(video_id, owner_id).update(likes=likes, saves=saves)

    for video_id, owner_id, source, views in _rows(
        f"SELECT i.video_id, v.owner_id, i.traffic_source, count(*) "
        f"FROM {interaction} i JOIN {video} v ON v.id = i.video_id "
        "WHERE i.type = 'play' AND i.created_at >= %s AND i.created_at < %s "
        "GROUP BY i.video_id, v.owner_id, i.traffic_source",
        [start, end],
    ):
        row_for(video_id, owner_id)["traffic_sources"][source] = views

    for video_id, owner_id, comments in _rows(
        f"SELECT c.video_id, v.owner_id, count(*) FROM {comment} c "
        f"JOIN {video} v ON v.id = c.video_id "
        "WHERE c.created_at >= %s AND c.created_at < %s GROUP BY c.video_id, v.owner_id",
        [start, end],
    ):
        row_for(video_id, owner_id)["comments"] = comments

    for video_id, owner_id, follows in _rows(
        # each follower once per video, however often they followed and unfollowed
        "SELECT a.video_id, v.owner_id, count(DISTINCT f.follower_id) "
        f"FROM {table(FollowChange)} f "
        "CROSS JOIN LATERAL ("
        f"  SELECT i.video_id FROM {interaction} i JOIN {video} iv ON iv.id = i.video_id "
        "   WHERE i.user_id = f.follower_id AND iv.owner_id = f.followee_id "
        "   AND i.created_at <= f.created_at + %s AND i.created_at >= f.created_at - %s "
        "   ORDER BY abs(extract(epoch FROM i.created_at - f.created_at)), i.id DESC "
        "   LIMIT 1) a "
        f"JOIN {video} v ON v.id = a.video_id "
        "WHERE f.delta = 1 AND f.created_at >= %s AND f.created_at < %s "
        "GROUP BY a.video_id, v.owner_id",
        [
            dt.timedelta(seconds=FOLLOW_EVENTS_LATE_SECONDS),
            dt.timedelta(minutes=settings.STUDIO_FOLLOW_ATTRIBUTION_MINUTES),
            start,
            end,
        ],
    ):
        row_for(video_id, owner_id)["follows"] = follows

    if retention:
        max_s = settings.STUDIO_RETENTION_MAX_SECONDS
        for video_id, owner_id, last_second, second, reports in _rows(
            "SELECT video_id, owner_id, last_second, least(watch_ms / 1000, last_second), "
            "count(*) FROM ("
            "  SELECT i.video_id, v.owner_id, i.watch_ms, "
            "  least(coalesce(ceil(v.duration_s)::int, %s), %s) AS last_second "
            f"  FROM {interaction} i JOIN {video} v ON v.id = i.video_id "
            "   WHERE i.type = ANY(%s) AND i.created_at >= %s AND i.created_at < %s) r "
            "GROUP BY 1, 2, 3, 4",
            [max_s, max_s, list(WATCH_REPORT_TYPES), start, end],
        ):
            row = row_for(video_id, owner_id)
            if not row["retention"]:
                row["retention"] = [0] * (last_second + 1)
            row["retention"][second] += reports
    return measures


def creator_follow_changes(*, start: dt.datetime, end: dt.datetime) -> dict[int, tuple[int, int]]:
    """(followers gained, followers lost) per creator over [start, end): each follower once
    each way, however often they followed and unfollowed in it (toggling is no growth)."""
    return {
        creator_id: (gained, lost)
        for creator_id, gained, lost in _rows(
            "SELECT followee_id, count(DISTINCT follower_id) FILTER (WHERE delta = 1), "
            f"count(DISTINCT follower_id) FILTER (WHERE delta = -1) FROM {table(FollowChange)} "
            "WHERE created_at >= %s AND created_at < %s GROUP BY followee_id",
            [start, end],
        )
    }


def creator_unique_viewers(*, start: dt.datetime, end: dt.datetime) -> dict[int, int]:
    """Distinct viewers (users, else session ids) who played any of each creator's videos in
    [start, end)."""
    return dict(
        _rows(
            f"SELECT v.owner_id, count(DISTINCT {viewer_key_sql('i')}) "
            f"FROM {table(Interaction)} i JOIN {table(Video)} v ON v.id = i.video_id "
            "WHERE i.type = 'play' AND i.created_at >= %s AND i.created_at < %s "
            "GROUP BY v.owner_id",
            [start, end],
        )
    )


def _lock() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ROLLUP_LOCK_KEY])


def _measure_fields(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "video_id": row["video_id"],
        "creator_id": row["creator_id"],
        "traffic_sources": row["traffic_sources"],
        **{name: row[name] for name in MEASURES},
    }


def rollup_day(*, day: dt.date) -> int:
    """Recompute one UTC day (videos and creators) and replace its rows; returns the video
    rows written."""
    start, end = day_bounds(day)
    with transaction.atomic():
        _lock()  # before reading: a slower run can never replace a newer one's rows
        measures = video_measures(start=start, end=end, retention=True)
        follows = creator_follow_changes(start=start, end=end)
        viewers = creator_unique_viewers(start=start, end=end)
        VideoDay.objects.filter(day=day).delete()
        VideoDay.objects.bulk_create(
            [
                VideoDay(
                    day=day,
                    retention=row["retention"],
                    **_measure_fields({"video_id": video_id, **row}),
                )
                for video_id, row in sorted(measures.items())
            ],
            batch_size=2000,
        )
        CreatorDay.objects.filter(day=day).delete()
        CreatorDay.objects.bulk_create(
            [
                CreatorDay(
                    creator_id=creator_id,
                    day=day,
                    followers_gained=follows.get(creator_id, (0, 0))[0],
                    followers_lost=follows.get(creator_id, (0, 0))[1],
                    unique_viewers=viewers.get(creator_id, 0),
                )
                for creator_id in sorted(follows.keys() | viewers.keys())
            ],
            batch_size=2000,
        )
    return len(measures)


def rollup_hour(*, hour: dt.datetime) -> int:
    """Recompute one UTC hour of the hourly table and replace its rows."""
    start = hour_floor(hour)
    with transaction.atomic():
        _lock()
        measures = video_measures(start=start, end=start + dt.timedelta(hours=1), retention=False)
        VideoHour.objects.filter(hour=start).delete()
        VideoHour.objects.bulk_create(
            [
                VideoHour(hour=start, **_measure_fields({"video_id": video_id, **row}))
                for video_id, row in sorted(measures.items())
            ],
            batch_size=2000,
        )
    return len(measures)


def _periods_due(key: str, current: Any, step: dt.timedelta, earliest: Any) -> list[Any]:
    """The periods a beat run recomputes: the previous and the current one, and every one since
    the last period an earlier run recomputed (kept in Redis under `key`), from `earliest` at
    most. Beat stopped for hours (a migration, an outage) left those periods never rolled up:
    creators' charts showed zeros there."""
    first = current - step
    last_done = cache.get(key)
    if last_done is not None:
        done = type(current).fromisoformat(last_done)
        first = max(earliest, min(first, done))
    periods = []
    while first <= current:
        periods.append(first)
        first += step
    return periods


def _periods_roll(key: str, periods: list[Any], roll: Callable[[Any], int]) -> int:
    """Recompute the periods due (oldest first, the current one last): the current and the
    previous one first, so a long catch-up never holds back the figures of now; then the
    missed ones, oldest first, moving the marker past each as it is done. A run cut short (the
    task's time limit) leaves the marker at the first period it did not finish: the next run
    goes on from there instead of starting the same days again, for ever."""
    recent, missed = periods[-2:], periods[:-2]
    written = sum(roll(period) for period in recent)
    for period, following in zip(missed, (missed + recent)[1:], strict=False):
        written += roll(period)
        cache.set(key, following.isoformat(), timeout=None)
    cache.set(key, periods[-1].isoformat(), timeout=None)
    return written


def rollup_recent_hours(*, now: dt.datetime | None = None) -> dict[str, int]:
    """The current and previous hour (beat), and any since the last run within the hourly
    window; hours older than the window pruned."""
    now = now or timezone.now()
    current = hour_floor(now)
    cutoff = current - dt.timedelta(hours=settings.STUDIO_HOURLY_KEEP_HOURS)
    hours = _periods_due(ROLLED_HOURS_KEY, current, dt.timedelta(hours=1), cutoff)
    written = _periods_roll(ROLLED_HOURS_KEY, hours, lambda hour: rollup_hour(hour=hour))
    pruned, _ = VideoHour.objects.filter(hour__lt=cutoff).delete()
    return {"rows": written, "pruned": pruned}


def rollup_recent_days(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Today and yesterday (UTC, beat), and any day since the last run (at most
    STUDIO_CATCH_UP_DAYS back: older ones are `studio_rebuild`'s); daily rows older than twice
    the retained window pruned (the dashboard compares a range with the one before it)."""
    today = (now or timezone.now()).astimezone(dt.UTC).date()
    earliest = today - dt.timedelta(days=STUDIO_CATCH_UP_DAYS)
    days = _periods_due(ROLLED_DAYS_KEY, today, dt.timedelta(days=1), earliest)
    written = _periods_roll(ROLLED_DAYS_KEY, days, lambda day: rollup_day(day=day))
    cutoff = today - dt.timedelta(days=2 * settings.STUDIO_RETAIN_DAYS)
    pruned, _ = VideoDay.objects.filter(day__lt=cutoff).delete()
    CreatorDay.objects.filter(day__lt=cutoff).delete()
    return {"rows": written, "pruned": pruned}


def days_between(first: dt.date, last: dt.date) -> Iterable[dt.date]:
    for offset in range((last - first).days + 1):
        yield first + dt.timedelta(days=offset)


def studio_rebuild(*, since: dt.date, until: dt.date | None = None) -> dict[str, int]:
    """Rebuild every day from `since` to `until` (today by default) and the hourly window from
    the log."""
    now = timezone.now()
    until = until or now.astimezone(dt.UTC).date()
    rows = sum(rollup_day(day=day) for day in days_between(since, until))
    current = hour_floor(now)
    hours = [
        current - dt.timedelta(hours=back)
        for back in range(settings.STUDIO_HOURLY_KEEP_HOURS, -1, -1)
    ]
    hour_rows = sum(rollup_hour(hour=hour) for hour in hours)
    return {"days": (until - since).days + 1, "day_rows": rows, "hour_rows": hour_rows}
