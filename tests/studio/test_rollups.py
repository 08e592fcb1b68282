"""Rollups equal a from-scratch recomputation of the same generated log, and rerunning or
rebuilding them changes nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command

from studio.models import CreatorDay, VideoDay, VideoHour
from studio.rollups import day_bounds, hour_floor, rollup_day, rollup_hour, rollup_recent_hours
from tests.factories import UserFactory, VideoFactory
from tests.studio.events import follower_changes, generate, recompute

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 3, 10)
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
    "traffic_sources",
)


@pytest.fixture
def world():  # noqa: ANN201
    creators = [UserFactory(), UserFactory()]
    videos = [
        VideoFactory(owner=creators[0], duration_s=20.0),
        VideoFactory(owner=creators[0], duration_s=7.5),
        VideoFactory(owner=creators[1], duration_s=61.0),
        VideoFactory(owner=creators[1], duration_s=None),
    ]
    viewers = [UserFactory() for _ in range(8)]
    return creators, videos, viewers


def stored(model, **period) -> dict[int, dict]:  # noqa: ANN001
    return {
        row["video_id"]: row
        for row in model.objects.filter(**period).values("video_id", *MEASURES, "creator_id")
    }


def test_daily_rollups_equal_a_recomputation_of_the_log(world, settings):  # noqa: ANN001
    settings.STUDIO_RETENTION_MAX_SECONDS = 40
    creators, videos, viewers = world
    start, _ = day_bounds(DAY - dt.timedelta(days=1))
    log = generate(seed=7, videos=videos, viewers=viewers, start=start, hours=72, n=1500)
    for offset in range(3):
        rollup_day(day=DAY - dt.timedelta(days=1) + dt.timedelta(days=offset))

    checked = 0
    for offset in range(3):
        day = DAY - dt.timedelta(days=1) + dt.timedelta(days=offset)
        day_start, day_end = day_bounds(day)
        expected = recompute(
            log,
            start=day_start,
            end=day_end,
            attribution_minutes=settings.STUDIO_FOLLOW_ATTRIBUTION_MINUTES,
            max_s=40,
        )
        rows = {row.video_id: row for row in VideoDay.objects.filter(day=day)}
        assert set(rows) == set(expected)
        for video_id, want in expected.items():
            row = rows[video_id]
            for name in MEASURES:
                assert getattr(row, name) == want[name], (day, video_id, name)
            assert row.retention == want["retention"], (day, video_id)
            assert row.creator_id == next(v.owner_id for v in videos if v.pk == video_id)
            checked += 1
        follows = {
            row.creator_id: (row.followers_gained, row.followers_lost)
            for row in CreatorDay.objects.filter(day=day)
        }
        assert follows == follower_changes(log, start=day_start, end=day_end)
    assert checked >= 8
    # the generated log exercised every part of the definitions
    assert VideoDay.objects.filter(follows__gt=0).exists()
    assert VideoDay.objects.filter(comments__gt=0).exists()
    assert CreatorDay.objects.filter(followers_lost__gt=0).exists()
    assert any(e["user_id"] is None for e in log.events if e["type"] == "play")


def test_hourly_rollups_equal_a_recomputation_of_the_log(world, settings):  # noqa: ANN001
    creators, videos, viewers = world
    now = dt.datetime.now(dt.UTC)
    start = hour_floor(now) - dt.timedelta(hours=3)
    log = generate(seed=11, videos=videos, viewers=viewers, start=start, hours=4, n=600)
    for back in range(4):
        rollup_hour(hour=start + dt.timedelta(hours=back))
    for back in range(4):
        hour = start + dt.timedelta(hours=back)
        expected = recompute(
            log,
            start=hour,
            end=hour + dt.timedelta(hours=1),
            attribution_minutes=settings.STUDIO_FOLLOW_ATTRIBUTION_MINUTES,
            max_s=settings.STUDIO_RETENTION_MAX_SECONDS,
        )
        rows = stored(VideoHour, hour=hour)
        assert set(rows) == set(expected)
        for video_id, want in expected.items():
            for name in MEASURES:
                assert rows[video_id][name] == want[name], (hour, video_id, name)


def test_rerunning_a_daily_rollup_changes_nothing(world):  # noqa: ANN001
    _, videos, viewers = world
    start, _ = day_bounds(DAY)
    generate(seed=3, videos=videos, viewers=viewers, start=start, hours=24, n=400)
    rollup_day(day=DAY)
    first = sorted(VideoDay.objects.filter(day=DAY).values_list("video_id", *MEASURES, "retention"))
    first_ids = set(VideoDay.objects.filter(day=DAY).values_list("id", flat=True))
    rollup_day(day=DAY)
    again = sorted(VideoDay.objects.filter(day=DAY).values_list("video_id", *MEASURES, "retention"))
    assert again == first
    assert first  # the day had activity
    # replaced, not added to
    assert VideoDay.objects.filter(day=DAY).count() == len(first_ids)


def test_rebuild_command_reproduces_the_beat_rollups(world):  # noqa: ANN001
    _, videos, viewers = world
    start, _ = day_bounds(DAY - dt.timedelta(days=1))
    generate(seed=5, videos=videos, viewers=viewers, start=start, hours=48, n=500)
    for day in (DAY - dt.timedelta(days=1), DAY):
        rollup_day(day=day)
    before = sorted(VideoDay.objects.values_list("day", "video_id", *MEASURES, "retention"))
    VideoDay.objects.all().delete()
    CreatorDay.objects.all().delete()
    call_command(
        "studio_rebuild", since=(DAY - dt.timedelta(days=1)).isoformat(), until=DAY.isoformat()
    )
    after = sorted(VideoDay.objects.values_list("day", "video_id", *MEASURES, "retention"))
    assert after == before
    assert before


def test_recent_hours_prune_rows_older_than_the_hourly_window(world, settings):  # noqa: ANN001
    _, videos, _ = world
    old = hour_floor(dt.datetime.now(dt.UTC)) - dt.timedelta(
        hours=settings.STUDIO_HOURLY_KEEP_HOURS + 2
    )
    VideoHour.objects.create(video=videos[0], creator=videos[0].owner, hour=old, views=3)
    rollup_recent_hours()
    assert not VideoHour.objects.filter(hour=old).exists()


def _one_view_an_hour(video, start: dt.datetime, hours: int) -> None:  # noqa: ANN001
    from tests.studio.events import interactions_write

    interactions_write(
        [
            {
                "user_id": None,
                "session_id": f"s{hour}",
                "video_id": video.pk,
                "type": "play",
                "watch_ms": 0,
                "source": "for_you",
                "at": start + dt.timedelta(hours=hour, minutes=10),
            }
            for hour in range(hours)
        ]
    )


def test_the_beat_catches_up_on_hours_and_days_it_missed_while_stopped(world):  # noqa: ANN001
    # Each run recomputed only the current and the previous hour (or day): hours and days
    # older than that, missed while beat was stopped for a migration, stayed empty for good.
    from studio.rollups import rollup_recent_days

    _, videos, _ = world
    stopped = dt.datetime(2026, 3, 10, 12, 30, tzinfo=dt.UTC)
    rollup_recent_hours(now=stopped)
    rollup_recent_days(now=stopped)
    _one_view_an_hour(videos[0], hour_floor(stopped) + dt.timedelta(hours=1), hours=30)

    back = stopped + dt.timedelta(hours=36)  # beat runs again
    rollup_recent_hours(now=back)
    rollup_recent_days(now=back)

    hours = set(VideoHour.objects.filter(video=videos[0]).values_list("hour", flat=True))
    expected = {hour_floor(stopped) + dt.timedelta(hours=1 + k) for k in range(30)}
    assert expected <= hours
    days = dict(VideoDay.objects.filter(video=videos[0]).values_list("day", "views"))
    assert days == {DAY: 11, DAY + dt.timedelta(days=1): 19}


def test_a_first_run_recomputes_only_the_last_two_hours(world) -> None:  # noqa: ANN001
    _, videos, _ = world
    now = dt.datetime(2026, 3, 10, 12, 30, tzinfo=dt.UTC)
    _one_view_an_hour(videos[0], hour_floor(now) - dt.timedelta(hours=4), hours=5)

    rollup_recent_hours(now=now)

    hours = set(VideoHour.objects.filter(video=videos[0]).values_list("hour", flat=True))
    assert hours == {hour_floor(now) - dt.timedelta(hours=1), hour_floor(now)}


def test_a_catch_up_cut_by_its_time_limit_serves_today_first_and_goes_on_next_time(
    monkeypatch,
) -> None:  # noqa: ANN001
    # Beat was stopped 10 days: the catch-up is 7 missed days, then yesterday and today. Each
    # run is cut after 4 days by the task's time limit; it started the same oldest days again
    # every time and never reached today.
    from celery.exceptions import SoftTimeLimitExceeded
    from django.core.cache import cache

    from studio import rollups

    now = dt.datetime(2026, 3, 20, 12, tzinfo=dt.UTC)
    today = now.date()
    cache.set(rollups.ROLLED_DAYS_KEY, (today - dt.timedelta(days=10)).isoformat(), timeout=None)
    runs: list[list[dt.date]] = []

    def cut_after_four(*, day: dt.date) -> int:
        runs[-1].append(day)
        if len(runs[-1]) > 4:
            raise SoftTimeLimitExceeded()
        return 0

    monkeypatch.setattr(rollups, "rollup_day", cut_after_four)
    for _ in range(5):
        runs.append([])
        try:
            rollups.rollup_recent_days(now=now)
            break
        except SoftTimeLimitExceeded:
            continue
    assert runs[0][:2] == [today - dt.timedelta(days=1), today]  # the figures of now first
    done = {day for run in runs for day in run[:4]}
    assert {today - dt.timedelta(days=k) for k in range(8)} <= done
    assert len(runs) <= 4  # each run went on where the last one stopped
    assert cache.get(rollups.ROLLED_DAYS_KEY) == today.isoformat()
