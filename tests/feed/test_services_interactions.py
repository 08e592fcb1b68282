"""Recording interaction batches: validation, dedupe, long-term taste, co-engagement, hiding."""

import datetime as dt
import uuid

import numpy as np
import pytest
import redis
from django.utils import timezone

from feed import state
from feed.aggregates import aggregates_flush
from feed.models import CoEngagement, HiddenVideo, Interaction, TasteProfile, VideoStats
from feed.services import (
    interaction_emit,
    interactions_record,
)
from tests.factories import UserFactory, VideoFactory
from tests.feed.factories import axis, event, ingest_events, video_with_vector
from tiktok.api.errors import status_for
from tiktok.errors import ApplicationError
from videos.models import Privacy

pytestmark = pytest.mark.django_db


def _record(user, events, session_id="s1"):  # noqa: ANN001, ANN202
    return interactions_record(user=user, session_id=session_id, events=events)


def _applied(user, events, session_id="s1"):  # noqa: ANN001, ANN202
    """Record a batch, then apply the aggregate updates it queued (what the flush task does)."""
    result = _record(user, events, session_id)
    aggregates_flush()
    return result


def test_valid_events_are_stored_append_only():
    user, video = UserFactory(), video_with_vector(axis(0))
    result = _record(user, [event(video, "play"), event(video, "finish", 20000)])
    assert result == {"accepted": 2, "duplicates": 0, "rejected": []}
    assert Interaction.objects.filter(user=user, video=video).count() == 2


def test_repeated_event_id_counts_as_duplicate_and_changes_nothing():
    user, video = UserFactory(), video_with_vector(axis(0))
    like = event(video, "like")
    _applied(user, [like])
    weight_before = TasteProfile.objects.get(user=user).weight_total
    result = _applied(user, [like, dict(like)])
    assert result["accepted"] == 0 and result["duplicates"] == 2
    assert Interaction.objects.filter(user=user).count() == 1
    assert TasteProfile.objects.get(user=user).weight_total == weight_before


def test_watch_time_beyond_ten_plays_of_the_video_is_cut_there():
    user = UserFactory()
    short = video_with_vector(axis(0), duration_s=15)
    unknown_length = video_with_vector(axis(1), duration_s=None)
    result = _record(
        user,
        [
            event(short, "pause", 86_400_000),  # a day of watching a 15-second video
            event(short, "pause", 40_000),  # two and a half loops: as claimed
            event(unknown_length, "pause", 86_400_000),
        ],
    )
    assert result["accepted"] == 3
    stored = sorted(Interaction.objects.filter(user=user).values_list("video_id", "watch_ms"))
    assert sorted(stored) == sorted(
        [(short.pk, 150_000), (short.pk, 40_000), (unknown_length.pk, 86_400_000)]
    )


def test_unknown_video_is_rejected_while_valid_events_land():
    user, video = UserFactory(), video_with_vector(axis(0))
    result = _record(user, [event(999_999, "like"), event(video, "like")])
    assert result["accepted"] == 1
    assert result["rejected"][0]["index"] == 0
    assert result["rejected"][0]["error"] == "unknown_video"


def test_event_for_private_video_of_someone_else_is_rejected():
    user = UserFactory()
    private = video_with_vector(axis(0), privacy=Privacy.PRIVATE)
    result = _applied(user, [event(private, "like")])
    assert result["accepted"] == 0
    assert result["rejected"] == [
        {"index": 0, "error": "unknown_video", "detail": result["rejected"][0]["detail"]}
    ]
    assert not TasteProfile.objects.filter(user=user).exists()


def test_a_wrong_device_clock_keeps_the_event_and_drops_its_timestamp():
    # A phone 10 minutes fast, or reset to 1970, still watches: its events land (the server's
    # created_at orders them) and only the clock reading it cannot trust is left out.
    user, video = UserFactory(), video_with_vector(axis(0))
    now = timezone.now()
    readings = {
        "fast": (now + dt.timedelta(minutes=10)).isoformat(),
        "reset": "1970-01-01T00:00:05Z",
        "slightly_ahead": (now + dt.timedelta(seconds=30)).isoformat(),
        "epoch_ms": int((now - dt.timedelta(seconds=5)).timestamp() * 1000),
    }
    events = {name: event(video, "play", ts=ts) for name, ts in readings.items()}
    result = _record(user, list(events.values()))
    assert result == {"accepted": 4, "duplicates": 0, "rejected": []}
    stored = dict(Interaction.objects.filter(user=user).values_list("event_id", "client_ts"))
    by_name = {name: stored[uuid.UUID(e["event_id"])] for name, e in events.items()}
    assert by_name["fast"] is None and by_name["reset"] is None
    assert abs((by_name["slightly_ahead"] - now).total_seconds() - 30) < 1
    assert abs((by_name["epoch_ms"] - now).total_seconds() + 5) < 1


def test_timestamp_with_an_offset_is_stored_as_that_instant():
    user, video = UserFactory(), video_with_vector(axis(0))
    local = (timezone.now() - dt.timedelta(minutes=1)).astimezone(
        dt.timezone(dt.timedelta(hours=5, minutes=30))
    )
    play = event(video, "play", ts=local.isoformat())
    assert _record(user, [play])["accepted"] == 1
    stored = Interaction.objects.get(event_id=play["event_id"]).client_ts
    assert stored == local


def test_fractional_watch_time_is_rounded_not_refused():
    user, video = UserFactory(), video_with_vector(axis(0))
    finish = event(video, "finish", 20000.4)
    pause = event(video, "pause", 20500.7)
    assert _record(user, [finish, pause])["accepted"] == 2
    stored = dict(Interaction.objects.filter(user=user).values_list("event_id", "watch_ms"))
    assert stored[uuid.UUID(finish["event_id"])] == 20000
    assert stored[uuid.UUID(pause["event_id"])] == 20501


@pytest.mark.parametrize(
    ("bad", "code"),
    [
        ({"event_id": "nope", "video_id": 1, "type": "like"}, "invalid_event_id"),
        ({"event_id": str(uuid.uuid4()), "type": "like"}, "missing_video_id"),
        ({"event_id": str(uuid.uuid4()), "video_id": "x", "type": "like"}, "invalid_video_id"),
        ({"event_id": str(uuid.uuid4()), "video_id": 1, "type": "dance"}, "invalid_type"),
        (
            {"event_id": str(uuid.uuid4()), "video_id": 1, "type": "play", "watch_ms": -5},
            "invalid_watch_ms",
        ),
        (
            {"event_id": str(uuid.uuid4()), "video_id": 1, "type": "play", "ts": "yesterday"},
            "invalid_ts",
        ),
        (  # before year 1 in UTC: PostgreSQL would store it BC and no read could return it
            {
                "event_id": str(uuid.uuid4()),
                "video_id": 1,
                "type": "play",
                "ts": "0001-01-01T00:00:00+01:00",
            },
            "invalid_ts",
        ),
        (
            {"event_id": str(uuid.uuid4()), "video_id": 1, "type": "play", "ts": 1e300},
            "invalid_ts",
        ),
        (
            {"event_id": str(uuid.uuid4()), "video_id": 1, "type": "play", "ts": 10**400},
            "invalid_ts",
        ),
        (
            {"event_id": str(uuid.uuid4()), "video_id": 1.5, "type": "play"},
            "invalid_video_id",
        ),
        (
            {"event_id": str(uuid.uuid4()), "video_id": 1, "type": "play", "position": 2.5},
            "invalid_position",
        ),
        ("not an object", "not_an_object"),
    ],
)
def test_malformed_event_is_rejected_with_its_reason(bad, code):  # noqa: ANN001
    user, video = UserFactory(), video_with_vector(axis(0))
    result = _record(user, [bad, event(video, "play")])
    assert result["accepted"] == 1
    assert result["rejected"][0]["index"] == 0
    assert result["rejected"][0]["error"] == code


def test_empty_batch_is_an_error():
    with pytest.raises(ApplicationError) as error:
        _record(UserFactory(), [])
    assert status_for(error.value) == 400


def test_batch_over_one_hundred_events_is_too_large():
    video = VideoFactory()
    with pytest.raises(ApplicationError) as error:
        _record(UserFactory(), [event(video, "play") for _ in range(101)])
    assert status_for(error.value) == 413
    assert Interaction.objects.count() == 0


def test_non_list_body_is_an_error():
    with pytest.raises(ApplicationError) as error:
        _record(UserFactory(), {"video_id": 1})
    assert status_for(error.value) == 400


@pytest.mark.django_db(transaction=True)  # SET LOCAL ends with the outermost transaction
@pytest.mark.parametrize("synchronous", [False, True])
def test_a_batch_commits_without_waiting_for_the_wal_flush_unless_configured(
    settings, monkeypatch, synchronous
):
    from django.db import connection

    import feed.services as services

    settings.FEED_INTERACTIONS_SYNCHRONOUS_COMMIT = synchronous
    seen = []
    insert = services._interactions_insert

    def spy(**kwargs):  # noqa: ANN003, ANN202
        with connection.cursor() as cursor:
            cursor.execute("SHOW synchronous_commit")
            seen.append(cursor.fetchone()[0])
        return insert(**kwargs)

    monkeypatch.setattr(services, "_interactions_insert", spy)
    user, video = UserFactory(), video_with_vector(axis(0))
    assert _record(user, [event(video, "like")])["accepted"] == 1
    assert seen == ["on" if synchronous else "off"]
    with connection.cursor() as cursor:  # only that transaction: the session is unchanged
        cursor.execute("SHOW synchronous_commit")
        assert cursor.fetchone()[0] == "on"


def test_like_moves_long_term_taste_toward_video():
    user = UserFactory()
    first, second = video_with_vector(axis(0)), video_with_vector(axis(1))
    _applied(user, [event(first, "like")])
    before = np.asarray(TasteProfile.objects.get(user=user).vector)
    _applied(user, [event(second, "like")])
    after = TasteProfile.objects.get(user=user)
    assert float(np.asarray(after.vector) @ axis(1)) > float(before @ axis(1))
    assert after.weight_total == pytest.approx(4.0)
    assert after.positive_count == 2


def test_short_watch_does_not_change_long_term_taste_but_forty_percent_does():
    user, video = UserFactory(), video_with_vector(axis(0), duration_s=20.0)
    _applied(user, [event(video, "pause", watch_ms=5000)])
    assert not TasteProfile.objects.filter(user=user).exists()
    _applied(user, [event(video, "pause", watch_ms=9000)])
    assert TasteProfile.objects.get(user=user).weight_total == pytest.approx(1.0)


def test_unlike_takes_the_like_back():
    user, video = UserFactory(), video_with_vector(axis(0))
    _applied(user, [event(video, "like")])
    _applied(user, [event(video, "unlike")])
    assert TasteProfile.objects.get(user=user).weight_total == pytest.approx(0.0)


def test_positives_of_one_user_build_co_engagement_one_row_per_pair():
    user = UserFactory()
    a, b, c = (video_with_vector(axis(i)) for i in range(3))
    _applied(user, [event(a, "finish"), event(b, "like")])
    _applied(user, [event(c, "share")])
    counts = {(x.video_a_id, x.video_b_id): x.count for x in CoEngagement.objects.all()}
    assert counts == {(a.pk, b.pk): 1, (a.pk, c.pk): 1, (b.pk, c.pk): 1}


def test_not_interested_hides_video_for_the_user():
    user, video = UserFactory(), video_with_vector(axis(0))
    _record(user, [event(video, "not_interested")])
    assert HiddenVideo.objects.filter(user=user, video=video).exists()


def test_stats_count_impressions_and_finishes_per_video_and_viewer():
    first, second, video = UserFactory(), UserFactory(), video_with_vector(axis(0))
    _applied(
        first, [event(video, "impression"), event(video, "impression"), event(video, "finish")]
    )
    _applied(second, [event(video, "impression")])
    stats = VideoStats.objects.get(video=video)
    assert (stats.impressions, stats.finishes) == (2, 1)


def test_plays_count_as_views_on_the_video_once_per_viewer():
    first, second, video = UserFactory(), UserFactory(), video_with_vector(axis(0))
    play = event(video, "play")
    _applied(first, [play, event(video, "play"), event(video, "impression")])
    _applied(first, [play])  # the same event again: a duplicate
    _applied(second, [event(video, "play")])
    video.refresh_from_db()
    assert video.view_count == 2


def test_server_side_emit_updates_taste():
    user, video = UserFactory(), video_with_vector(axis(2))
    interaction_emit(user=user, session_id="", video=video, type="save")
    aggregates_flush()
    profile = TasteProfile.objects.get(user=user)
    assert profile.weight_total == pytest.approx(2.5)
    assert float(np.asarray(profile.vector) @ axis(2)) == pytest.approx(1.0, abs=1e-5)


def test_bulk_ingest_runs_the_same_update_maths_as_the_api():
    api_user, bulk_user = UserFactory(), UserFactory()
    videos = [video_with_vector(axis(i)) for i in range(3)]
    kinds = ["like", "finish", "share"]
    _applied(api_user, [event(v, k) for v, k in zip(videos, kinds, strict=True)])
    ingest_events(bulk_user, videos, kinds)
    api, bulk = (TasteProfile.objects.get(user=u) for u in (api_user, bulk_user))
    assert bulk.weight_total == pytest.approx(api.weight_total)
    assert np.allclose(np.asarray(bulk.vector), np.asarray(api.vector), atol=1e-6)
    assert CoEngagement.objects.get(video_a=videos[0], video_b=videos[2]).count == 2


def test_a_posted_batch_names_at_most_two_sessions_and_makes_no_state_for_the_rest():
    # Each session an anonymous batch names is its own history, taste and seen set in Redis
    # for 45 minutes: a hundred session ids in one request made a hundred of them.
    videos = [video_with_vector(axis(i % 4)) for i in range(6)]
    events = [event(v, "finish", 20000, session_id=f"forged-{i}") for i, v in enumerate(videos)]
    result = interactions_record(user=None, session_id="tab-1", events=events, from_client=True)
    # The request's own session and the first other one it names.
    assert result["accepted"] == 1
    assert [r["error"] for r in result["rejected"]] == ["too_many_sessions"] * 5
    assert [r["index"] for r in result["rejected"]] == [1, 2, 3, 4, 5]
    keys = {key.decode() for key in state.redis_client().scan_iter(match="*forged-*")}
    assert keys and all("forged-0" in key for key in keys)
    # Events of the request's own session are always taken.
    own = [event(v, "finish", 20000, session_id="tab-1") for v in videos[:3]]
    mixed = own + [event(videos[3], "finish", 20000, session_id="x-1")]
    result = interactions_record(user=None, session_id="tab-1", events=mixed, from_client=True)
    assert result["accepted"] == 4


def _pipeline_failing_once(monkeypatch, *, run_first: bool, error: Exception, then=None) -> list:  # noqa: ANN001
    """The first pipeline that pushes aggregates fails with `error`, after Redis ran it
    (`run_first`: the reply was lost; `then` runs meanwhile) or before."""
    execute = redis.client.Pipeline.execute
    failed: list = []

    def execute_failing_once(pipe, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
        if not failed and any(args_[0] == "RPUSH" for args_, _ in pipe.command_stack):
            failed.append(True)
            if run_first:
                execute(pipe, *args, **kwargs)
                if then is not None:
                    then()
            raise error
        return execute(pipe, *args, **kwargs)

    monkeypatch.setattr(redis.client.Pipeline, "execute", execute_failing_once)
    return failed


@pytest.mark.parametrize(
    ("run_first", "error"),
    [
        (False, redis.ConnectionError("Error 111 connecting: connection refused")),
        (True, redis.ConnectionError("connection reset by peer")),
        (True, redis.TimeoutError("timeout reading from socket")),
    ],
    ids=["refused", "reply-lost", "timeout"],
)
def test_redis_failing_around_the_push_counts_the_batch_once(monkeypatch, run_first, error):  # noqa: ANN001
    # The events and the marks of what they counted commit before the Redis round trip: when
    # that fails the client's retry is all duplicates, so the request writes the counts itself;
    # when Redis ran the push after all, the flush skips the queued copy.
    viewer, video = UserFactory(), video_with_vector(axis(0))
    failed = _pipeline_failing_once(monkeypatch, run_first=run_first, error=error)
    play = event(video, "play")
    result = interactions_record(user=viewer, session_id="s1", events=[play], from_client=True)
    assert failed and result["accepted"] == 1
    assert _record(viewer, [play])["duplicates"] == 1  # the client's retry
    aggregates_flush()
    video.refresh_from_db()
    assert video.view_count == 1
    # The viewer's history lock was given back: their next batch does not wait for it.
    assert not [key for key in state.redis_client().scan_iter(match="feed:histlock:*")]


def test_a_redis_error_reply_to_the_push_still_counts_the_batch_once(monkeypatch):  # noqa: ANN001
    # Out of memory, a read-only replica after a failover, a failing snapshot: Redis answers
    # the push with an error, and the rest of the pipeline runs.
    viewer, video = UserFactory(), video_with_vector(axis(0))
    execute = redis.client.Pipeline.execute

    def refuse_pushes(pipe, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
        for index, (args_, _) in enumerate(pipe.command_stack):
            if args_[0] == "RPUSH":
                pipe.command_stack[index] = (("EVAL", "return redis.error_reply('OOM')", 0), {})
        return execute(pipe, *args, **kwargs)

    monkeypatch.setattr(redis.client.Pipeline, "execute", refuse_pushes)
    play = event(video, "play")
    result = interactions_record(user=viewer, session_id="s1", events=[play], from_client=True)
    assert result["accepted"] == 1
    aggregates_flush()
    video.refresh_from_db()
    assert video.view_count == 1


def test_a_flush_between_the_push_and_the_fallback_does_not_count_twice(monkeypatch):  # noqa: ANN001
    # Redis ran the push and a flush applied it before the request, whose reply timed out,
    # applied the batch itself.
    viewer, video = UserFactory(), video_with_vector(axis(0))
    failed = _pipeline_failing_once(
        monkeypatch,
        run_first=True,
        error=redis.TimeoutError("timeout reading from socket"),
        then=aggregates_flush,
    )
    interactions_record(
        user=viewer, session_id="s1", events=[event(video, "play")], from_client=True
    )
    assert failed
    aggregates_flush()
    video.refresh_from_db()
    assert video.view_count == 1


@pytest.mark.parametrize("flush_between", [False, True], ids=["same-read", "after-a-flush"])
def test_a_batch_queued_twice_by_a_retried_pipeline_counts_once(flush_between: bool):
    from feed.aggregates import QUEUE_KEY

    viewer, video = UserFactory(), video_with_vector(axis(0))
    interactions_record(
        user=viewer, session_id="s1", events=[event(video, "play")], from_client=True
    )
    client = state.redis_client()
    entry = client.lindex(QUEUE_KEY, -1)
    if flush_between:
        aggregates_flush()
    client.rpush(QUEUE_KEY, entry)  # a retried pipeline's second copy
    aggregates_flush()
    video.refresh_from_db()
    assert video.view_count == 1
