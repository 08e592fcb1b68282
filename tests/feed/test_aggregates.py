"""Aggregates written behind the request (feed/aggregates.py): queued by interactions, applied
merged by the flush, the same result as writing them at once."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

import feed.aggregates as aggregates
from feed.aggregates import QUEUE_KEY, aggregates_flush, aggregates_pending
from feed.dead_letter import aggregates_dead_letter
from feed.models import CoEngagement, HiddenVideo, TasteProfile, VideoStats
from feed.services import interactions_record
from feed.state import redis_client
from feed.tasks import aggregates_flush_task
from feed.taste_deltas import TasteDeltas, deltas_decode, deltas_encode, deltas_merge
from tests.factories import UserFactory
from tests.feed.factories import axis, event, ingest_events, video_with_vector

pytestmark = pytest.mark.django_db


@pytest.fixture
def scheduled(monkeypatch):  # noqa: ANN001, ANN201
    """The flush tasks the queue schedules (countdowns), instead of sending them to a broker."""
    calls: list[float] = []
    monkeypatch.setattr(
        aggregates_flush_task, "apply_async", lambda countdown=None, **_: calls.append(countdown)
    )
    return calls


def _record(user, events):  # noqa: ANN001, ANN202
    return interactions_record(user=user, session_id="s1", events=events)


def test_a_request_queues_its_aggregates_and_the_flush_applies_them(scheduled, settings):
    settings.FEED_AGGREGATES_DELAY_SECONDS = 1.5
    user, video = UserFactory(), video_with_vector(axis(0))
    _record(user, [event(video, "like"), event(video, "impression")])
    # Nothing written yet: the request only stored the events and queued the rest.
    assert not TasteProfile.objects.filter(user=user).exists()
    assert not VideoStats.objects.filter(video=video).exists()
    assert aggregates_pending() == 1
    assert scheduled == [1.5]

    assert aggregates_flush() == 1
    assert aggregates_pending() == 0
    assert TasteProfile.objects.get(user=user).weight_total == pytest.approx(2.0)
    stats = VideoStats.objects.get(video=video)
    assert (stats.likes, stats.impressions) == (1, 1)


def test_only_the_first_entry_of_an_empty_queue_schedules_a_flush(scheduled):
    video = video_with_vector(axis(0))
    for _ in range(3):
        _record(UserFactory(), [event(video, "play")])
    assert len(scheduled) == 1 and aggregates_pending() == 3
    aggregates_flush()
    _record(UserFactory(), [event(video, "play")])
    assert len(scheduled) == 2


def test_not_interested_hides_at_once_without_a_flush(scheduled):
    user, video = UserFactory(), video_with_vector(axis(0))
    _record(user, [event(video, "not_interested")])
    assert HiddenVideo.objects.filter(user=user, video=video).exists()


def test_many_queued_batches_apply_as_the_same_events_written_at_once(scheduled):
    queued_user, direct_user = UserFactory(), UserFactory()
    videos = [video_with_vector(axis(i)) for i in range(4)]
    kinds = ["like", "finish", "unlike", "share", "save", "finish"]
    picks = [videos[0], videos[1], videos[0], videos[2], videos[3], videos[0]]
    for video, kind in zip(picks, kinds, strict=True):  # one request per event
        _record(queued_user, [event(video, kind)])
    assert aggregates_flush() == len(kinds)
    ingest_events(direct_user, picks, kinds)
    queued, direct = (TasteProfile.objects.get(user=u) for u in (queued_user, direct_user))
    assert queued.weight_total == pytest.approx(direct.weight_total)
    assert queued.positive_count == direct.positive_count
    assert np.allclose(np.asarray(queued.vector), np.asarray(direct.vector), atol=1e-6)
    # Each user's positives paired the same way; the two users' counts add up.
    counts = {(c.video_a_id, c.video_b_id): c.count for c in CoEngagement.objects.all()}
    # v1 after v0, then v0 again while still recent: one co-engagement per user.
    assert counts[(videos[0].pk, videos[1].pk)] == 2
    assert VideoStats.objects.get(video=videos[0]).finishes == 2


def test_an_unreadable_entry_is_dropped_and_the_rest_applied(scheduled):
    user, video = UserFactory(), video_with_vector(axis(0))
    redis_client().rpush(QUEUE_KEY, b"not json")
    _record(user, [event(video, "like")])
    assert aggregates_flush() == 2
    assert aggregates_pending() == 0
    assert TasteProfile.objects.get(user=user).weight_total == pytest.approx(2.0)


def test_a_failed_flush_keeps_the_queue_for_the_next_one(scheduled, monkeypatch):
    user, video = UserFactory(), video_with_vector(axis(0))
    _record(user, [event(video, "like")])

    def broken(*_args, **_kwargs) -> None:
        raise RuntimeError("database went away")

    original = aggregates._stats_upsert
    monkeypatch.setattr(aggregates, "_stats_upsert", broken)
    with pytest.raises(RuntimeError):
        aggregates_flush()
    assert aggregates_pending() == 1
    assert not TasteProfile.objects.filter(user=user).exists()  # rolled back together
    monkeypatch.setattr(aggregates, "_stats_upsert", original)
    assert aggregates_flush() == 1
    assert TasteProfile.objects.get(user=user).weight_total == pytest.approx(2.0)


def test_rows_deleted_before_the_flush_are_skipped_and_the_rest_applied(scheduled):
    from videos.models import Video

    user, gone_user = UserFactory(), UserFactory()
    gone, kept = video_with_vector(axis(0)), video_with_vector(axis(1))
    _record(user, [event(gone, "like"), event(kept, "like"), event(kept, "finish")])
    _record(gone_user, [event(kept, "like")])
    Video.objects.filter(pk=gone.pk).delete()
    gone_user.delete()

    assert aggregates_flush() == 2
    assert aggregates_pending() == 0
    stats = VideoStats.objects.get(video=kept)
    assert (stats.likes, stats.finishes) == (2, 1)
    assert not VideoStats.objects.filter(video_id=gone.pk).exists()
    assert not CoEngagement.objects.filter(video_a_id=gone.pk).exists()
    assert not CoEngagement.objects.filter(video_b_id=gone.pk).exists()
    assert TasteProfile.objects.filter(user=user).exists()
    assert not TasteProfile.objects.filter(user_id=gone_user.pk).exists()


def test_an_entry_that_keeps_failing_on_its_data_is_set_aside(scheduled, settings):
    from django.core.management import call_command

    from feed.receivers import check_feed_aggregates

    settings.FEED_AGGREGATES_MAX_FAILURES = 3
    user, video = UserFactory(), video_with_vector(axis(0))
    _record(user, [event(video, "like")])
    # A count past bigint: PostgreSQL refuses it (numeric value out of range) on every try.
    poison = TasteDeltas(version=None)
    poison.stats[video.pk]["play"] = 2**63
    redis_client().rpush(aggregates.QUEUE_KEY, deltas_encode(poison))
    _record(user, [event(video, "finish")])

    for _ in range(2):
        with pytest.raises(aggregates.DATA_ERRORS):
            aggregates_flush()
        assert aggregates_pending() == 3
        assert not VideoStats.objects.filter(video=video).exists()  # rolled back together
    assert aggregates_flush() == 3
    assert aggregates_pending() == 0
    stats = VideoStats.objects.get(video=video)
    assert (stats.likes, stats.finishes, stats.plays) == (1, 1, 0)
    assert len(aggregates_dead_letter()) == 1
    with pytest.raises(RuntimeError, match="1 aggregate entries set aside"):
        check_feed_aggregates()
    # The queue keeps moving.
    _record(user, [event(video, "share")])
    assert aggregates_flush() == 1
    assert VideoStats.objects.get(video=video).shares == 1

    call_command("aggregates_dead_letter", "--requeue")
    assert aggregates_pending() == 1 and not aggregates_dead_letter()
    call_command("aggregates_dead_letter", "--drop")
    redis_client().lpop(aggregates.QUEUE_KEY)
    assert check_feed_aggregates()["dead_letter"] == 0


def test_a_lost_connection_never_sets_an_entry_aside(scheduled, settings, monkeypatch):
    from django.db import OperationalError

    settings.FEED_AGGREGATES_MAX_FAILURES = 1
    user, video = UserFactory(), video_with_vector(axis(0))
    _record(user, [event(video, "like")])

    def lost(*_args, **_kwargs) -> None:
        raise OperationalError("server closed the connection unexpectedly")

    original = aggregates._stats_upsert
    monkeypatch.setattr(aggregates, "_stats_upsert", lost)
    for _ in range(3):
        with pytest.raises(OperationalError):
            aggregates_flush()
    assert aggregates_pending() == 1 and not aggregates_dead_letter()
    monkeypatch.setattr(aggregates, "_stats_upsert", original)
    assert aggregates_flush() == 1
    assert VideoStats.objects.get(video=video).likes == 1


def test_a_flush_while_another_runs_returns_none_and_the_task_retries(scheduled, monkeypatch):
    lock = redis_client().lock(aggregates.LOCK_KEY, timeout=30)
    assert lock.acquire(blocking=False)
    try:
        assert aggregates_flush() is None
        retried: list[int] = []

        class Retry(Exception):
            pass

        def retry(countdown: int) -> Retry:
            retried.append(countdown)
            return Retry()

        monkeypatch.setattr(aggregates_flush_task, "retry", retry)
        with pytest.raises(Retry):
            aggregates_flush_task.run()
        assert retried == [1]
    finally:
        lock.release()


def test_a_flush_waiting_on_another_gives_up_after_its_retries():
    # A backlog of queued flushes retried every second without end while one drained it.
    from feed.tasks import AGGREGATES_BUSY_RETRIES

    lock = redis_client().lock(aggregates.LOCK_KEY, timeout=30)
    assert lock.acquire(blocking=False)
    try:
        # The last try ends quietly: the running flush and the sweep take what is left.
        result = aggregates_flush_task.apply(retries=AGGREGATES_BUSY_RETRIES)
        assert result.successful() and result.get() == 0
    finally:
        lock.release()


def test_deltas_round_trip_and_merge():
    first = TasteDeltas(
        version="v1",
        users={7: (np.asarray([1.0, 0.0], dtype=np.float32), 2.0, 1)},
        pairs=Counter({(1, 2): 1}),
    )
    first.stats[5]["like"] += 1
    second = TasteDeltas(
        version="v1",
        users={7: (np.asarray([0.0, 1.5], dtype=np.float32), 1.5, 1)},
        pairs=Counter({(1, 2): 2, (2, 1): 1}),
    )
    second.stats[5]["like"] += 2
    other_version = TasteDeltas(version="v2", users={7: (np.ones(3, dtype=np.float32), 1.0, 1)})
    decoded = [deltas_decode(deltas_encode(d)) for d in (first, second, other_version)]
    merged = {d.version: d for d in deltas_merge(decoded)}
    assert set(merged) == {"v1", "v2"}
    total_sum, total_weight, count = merged["v1"].users[7]
    assert total_sum.tolist() == [1.0, 1.5] and total_weight == 3.5 and count == 2
    assert merged["v1"].pairs == Counter({(1, 2): 3, (2, 1): 1})
    assert merged["v1"].stats[5]["like"] == 3
    assert merged["v2"].users[7][0].tolist() == [1.0, 1.0, 1.0]
    with pytest.raises(ValueError, match="not an aggregates entry"):
        deltas_decode(b'{"v": "x"}')


def test_deleting_a_video_removes_its_co_engagement_rows_both_ways(scheduled):
    user = UserFactory()
    a, b, c = (video_with_vector(axis(i)) for i in range(3))
    _record(user, [event(a, "like"), event(b, "like"), event(c, "like")])
    aggregates_flush()
    assert CoEngagement.objects.filter(video_a=b).exists()
    b.delete()  # no database foreign key on this table: the ORM's cascade removes them
    pairs = set(CoEngagement.objects.values_list("video_a_id", "video_b_id"))
    assert pairs == {(a.pk, c.pk)}


def test_co_engagement_neighbours_are_found_from_either_end_of_a_pair(scheduled):
    from feed.candidates import viewer_context

    a, b, c = (video_with_vector(axis(i)) for i in range(3))
    for _ in range(2):
        _record(UserFactory(), [event(a, "like"), event(b, "like")])
    _record(UserFactory(), [event(b, "like"), event(c, "like")])
    aggregates_flush()

    def neighbours(of):  # noqa: ANN001, ANN202
        return viewer_context(
            user_id=None, embedding_version=None, recent_positives=[of.pk], coengagement_limit=10
        ).coengaged

    assert neighbours(b) == {a.pk: 2, c.pk: 1}  # b is the larger id of one pair, smaller of other
    assert neighbours(a) == {b.pk: 2}
    assert neighbours(c) == {b.pk: 1}


def test_strong_positives_are_counted_per_viewer_and_video(scheduled):
    # A like and a finish of one view are one viewer's positive; so is a later rewatch.
    a, b = video_with_vector(axis(0)), video_with_vector(axis(1))
    first = UserFactory()
    _record(first, [event(a, "like"), event(a, "finish"), event(b, "skip")])
    _record(UserFactory(), [event(a, "finish"), event(b, "play")])
    _record(first, [event(a, "rewatch", 40000)])
    aggregates_flush()
    stats = {s.video_id: s for s in VideoStats.objects.all()}
    assert stats[a.pk].positives == 2
    assert stats[b.pk].positives == 0


def test_a_video_engaged_with_again_leads_the_recent_positives_once(scheduled):
    from feed.interaction_state import recent_positives_many
    from feed.state import owner_key

    user = UserFactory()
    a, b, c, d = (video_with_vector(axis(i)) for i in range(4))
    _record(user, [event(a, "finish", 20000), event(b, "finish", 20000)])
    _record(user, [event(c, "finish", 20000), event(a, "rewatch", 40000)])
    owner = owner_key(user_id=user.pk, session_id="s1")
    assert recent_positives_many(owners=[owner])[owner] == [a.pk, c.pk, b.pk]
    # Again within one batch, and after the video came back: its latest engagement leads.
    _record(user, [event(b, "rewatch", 40000), event(d, "finish", 20000), event(b, "pause", 20000)])
    assert recent_positives_many(owners=[owner])[owner] == [b.pk, d.pk, a.pk, c.pk]
    aggregates_flush()
    assert {s.video_id: s.positives for s in VideoStats.objects.all()} == {
        a.pk: 1,
        b.pk: 1,
        c.pk: 1,
        d.pk: 1,
    }
    pairs = {(p.video_a_id, p.video_b_id): p.count for p in CoEngagement.objects.all()}
    assert set(pairs.values()) == {1} and len(pairs) == 6  # each pair of the four once


def test_one_view_is_one_co_engagement(scheduled):
    # The web client reports a view as impression, play, finish, a rewatch at each loop and
    # the pause that ends it: with an earlier positive, that is one pair, below the count
    # other viewers' reserved co-engaged slots need.
    user, earlier, watched = UserFactory(), video_with_vector(axis(0)), video_with_vector(axis(1))
    _record(user, [event(earlier, "finish", 20000)])
    view = ["impression", "play", "finish", "rewatch", "rewatch", "pause"]
    _record(user, [event(watched, kind, 20000) for kind in view])
    aggregates_flush()
    pair = CoEngagement.objects.get()
    assert (pair.video_a_id, pair.video_b_id, pair.count) == (earlier.pk, watched.pk, 1)
    assert VideoStats.objects.get(video=watched).positives == 1


def test_a_like_taken_back_is_not_counted(scheduled, settings):
    # like, unlike three times over (a fidgety double tap): no like in the video's stats, one
    # engagement at most in its positives and pairs, and nothing in trending's likes.
    from feed.trending import _decayed_counts

    user, earlier, toggled = UserFactory(), video_with_vector(axis(0)), video_with_vector(axis(1))
    _record(user, [event(earlier, "finish", 20000)])
    for _ in range(3):  # each applied by its own flush, as the worker does a second later
        _record(user, [event(toggled, "like")])
        aggregates_flush()
        _record(user, [event(toggled, "unlike")])
        aggregates_flush()
    stats = VideoStats.objects.get(video=toggled)
    assert stats.likes == 0 and stats.positives == 1
    assert CoEngagement.objects.get().count == 1
    likes = {row[0]: row[2] for row in _decayed_counts()}
    assert likes[toggled.pk] == 0
    _record(UserFactory(), [event(toggled, "unlike")])  # the count never goes below zero
    aggregates_flush()
    assert VideoStats.objects.get(video=toggled).likes == 0
    _record(user, [event(toggled, "like")])
    _record(UserFactory(), [event(toggled, "like")])
    aggregates_flush()
    assert VideoStats.objects.get(video=toggled).likes == 2
    # An unlike of a video without stats yet (its like came before stats were kept).
    unseen = video_with_vector(axis(2))
    _record(user, [event(unseen, "unlike"), event(unseen, "play")])
    aggregates_flush()
    assert VideoStats.objects.filter(video=unseen).values_list("likes", "plays").get() == (0, 1)
    likes = {row[0]: row[2] for row in _decayed_counts()}
    assert 1.9 < likes[toggled.pk] <= 2.0


def test_a_niche_neighbour_outranks_a_popular_one_with_the_same_co_count(scheduled):
    from feed.candidates import COENGAGEMENT_SHRINK, viewer_context

    seed, niche, popular = (video_with_vector(axis(i)) for i in range(3))
    for _ in range(2):  # the same co-count with the seed for both neighbours
        _record(UserFactory(), [event(seed, "like"), event(niche, "like"), event(popular, "like")])
    for _ in range(30):  # the popular one is liked by everyone else too
        _record(UserFactory(), [event(popular, "like")])
    aggregates_flush()
    context = viewer_context(
        user_id=None, embedding_version=None, recent_positives=[seed.pk], coengagement_limit=10
    )
    assert context.coengaged == {niche.pk: 2, popular.pk: 2}
    # item-kNN: the same count divided by sqrt(the neighbour's positives) + shrink (2 vs 32)
    ratio = context.coengaged_scores[niche.pk] / context.coengaged_scores[popular.pk]
    assert ratio == pytest.approx((32**0.5 + COENGAGEMENT_SHRINK) / (2**0.5 + COENGAGEMENT_SHRINK))


def test_the_newest_positive_leads_the_co_engagement_score_with_a_decay(scheduled):
    from feed.candidates import viewer_context

    old, new, of_old, of_new = (video_with_vector(axis(i)) for i in range(4))
    for _ in range(2):  # each pair co-engaged by two viewers
        _record(UserFactory(), [event(old, "like"), event(of_old, "like")])
        _record(UserFactory(), [event(new, "like"), event(of_new, "like")])
    aggregates_flush()

    def scores(decay: float) -> dict[int, float]:
        return viewer_context(
            user_id=None,
            embedding_version=None,
            recent_positives=[new.pk, old.pk],  # newest first
            coengagement_limit=10,
            coengagement_decay=decay,
        ).coengaged_scores

    even = scores(1.0)
    assert even[of_new.pk] == pytest.approx(even[of_old.pk])
    decayed = scores(0.5)
    assert decayed[of_new.pk] == pytest.approx(even[of_new.pk])
    assert decayed[of_old.pk] == pytest.approx(even[of_old.pk] * 0.5)


def test_a_long_flush_keeps_its_lock(scheduled, monkeypatch):
    video = video_with_vector(axis(0))
    for _ in range(3):
        _record(UserFactory(), [event(video, "play")])
    monkeypatch.setattr(aggregates, "LOCK_SECONDS", 60)
    monkeypatch.setattr(aggregates, "FLUSH_BATCH", 1)
    renewed: list[bool] = []
    write = aggregates.aggregates_write

    def slow_write(deltas, **kwargs):  # noqa: ANN001, ANN003, ANN202
        # Each batch finds the lock's lifetime whole again, then uses most of it: the lock's
        # clock is moved, not the test's (no wall-clock wait, whatever the machine's speed).
        renewed.append(redis_client().pttl(aggregates.LOCK_KEY) > 50_000)
        redis_client().pexpire(aggregates.LOCK_KEY, 40_000)
        return write(deltas, **kwargs)

    monkeypatch.setattr(aggregates, "aggregates_write", slow_write)
    assert aggregates_flush() == 3
    assert renewed == [True, True, True]
    assert not redis_client().exists(aggregates.LOCK_KEY)  # released at the end


def test_recording_a_batch_takes_two_redis_round_trips(scheduled, monkeypatch):
    import redis.connection

    user, video = UserFactory(), video_with_vector(axis(0))
    _record(user, [event(video, "like")])  # warm up: connections, the cached version
    sends: list[int] = []
    send = redis.connection.AbstractConnection.send_packed_command

    def counting(self, command, check_health=True):  # noqa: ANN001, ANN202, FBT002
        sends.append(1)
        return send(self, command, check_health)

    monkeypatch.setattr(redis.connection.AbstractConnection, "send_packed_command", counting)
    _record(user, [event(video, "finish"), event(video, "skip", watch_ms=500)])
    # One read (recent positives + session taste), one write (history, session, aggregates).
    assert len(sends) == 2


def test_one_account_counts_once_per_video_however_many_events_it_sends(scheduled):
    # 150 posted plays, finishes, impressions and skips of one video by one account, over
    # many batches (each applied by its own flush): one view, one finish, one of each.
    user, other, video = UserFactory(), UserFactory(), video_with_vector(axis(0))
    for _ in range(30):
        _record(
            user,
            [event(video, kind, 20000) for kind in ("impression", "play", "finish", "skip")]
            + [event(video, "play", 100)],
        )
        aggregates_flush()
    stats = VideoStats.objects.get(video=video)
    assert (stats.impressions, stats.plays, stats.finishes, stats.skips) == (1, 1, 1, 1)
    assert stats.positives == 1
    video.refresh_from_db()
    assert video.view_count == 1
    # Another viewer is another view.
    _record(other, [event(video, "play", 100), event(video, "play", 100)])
    aggregates_flush()
    assert VideoStats.objects.get(video=video).plays == 2
    video.refresh_from_db()
    assert video.view_count == 2


def test_a_viewer_never_counts_a_pair_twice_by_cycling_other_positives(scheduled, settings):
    # Between two views of a pair, more positives than the recent list keeps: the pair and
    # the videos' positives still count one viewer once.
    settings.FEED_COENGAGEMENT_RECENT = 5
    user = UserFactory()
    a, b = video_with_vector(axis(0)), video_with_vector(axis(1))
    fillers = [video_with_vector(axis(2 + i % 6)) for i in range(8)]
    for _ in range(3):
        _record(user, [event(a, "finish", 20000), event(b, "finish", 20000)])
        _record(user, [event(filler, "finish", 20000) for filler in fillers])
        aggregates_flush()
    pair = CoEngagement.objects.get(video_a=min(a.pk, b.pk), video_b=max(a.pk, b.pk))
    assert pair.count == 1
    stats = {s.video_id: s for s in VideoStats.objects.filter(video__in=[a, b])}
    assert stats[a.pk].positives == 1 and stats[b.pk].positives == 1
    assert stats[a.pk].finishes == 1


def test_a_failed_batch_counts_nothing_so_its_retry_counts(scheduled, monkeypatch):
    # The counted marks are written in the events' transaction: a batch that fails leaves no
    # mark behind, and the client's retry of it counts.
    import feed.services as services

    user, video = UserFactory(), video_with_vector(axis(0))
    batch = [event(video, "play", 100)]

    def broken(*_, **__):  # noqa: ANN002, ANN003, ANN202
        raise RuntimeError("lost")

    with monkeypatch.context() as patch:
        patch.setattr(services, "hidden_insert", broken)
        with pytest.raises(RuntimeError):
            _record(user, batch)
    _record(user, batch)
    aggregates_flush()
    assert VideoStats.objects.get(video=video).plays == 1


def test_the_upgrade_counts_what_was_stored_before_it(scheduled):
    # The migration's backfill marks what the stored events had counted, so a viewer who
    # played and finished a video before the upgrade counts nothing again after it; what
    # counted nothing (anonymous events, a quick skip, a short pause, a watch of a video
    # without a duration) is not marked.
    import importlib

    from django.db import connection

    from feed.models import CountedEngagement, CountedKind

    migration = importlib.import_module("feed.migrations.0009_counted_engagement")
    user = UserFactory()
    video, watched, glanced = (video_with_vector(axis(i)) for i in range(3))
    no_duration = video_with_vector(axis(3), duration_s=None)
    _record(user, [event(video, "play", 100), event(video, "finish", 20000)])
    _record(user, [event(watched, "pause", 9000)])  # 9 s of a 20 s video: a positive
    _record(user, [event(glanced, "pause", 3000), event(glanced, "skip", 1500)])
    _record(user, [event(no_duration, "pause", 60000)])
    _record(None, [event(glanced, "finish", 20000), event(glanced, "play", 100)])
    aggregates_flush()
    CountedEngagement.objects.all().delete()  # as before the upgrade
    with connection.cursor() as cursor:
        cursor.execute(migration.BACKFILL_SQL, migration.backfill_params())
    assert set(CountedEngagement.objects.values_list("user_id", "video_id", "kind")) == {
        (user.pk, video.pk, CountedKind.PLAY),
        (user.pk, video.pk, CountedKind.FINISH),
        (user.pk, video.pk, CountedKind.POSITIVE),
        (user.pk, watched.pk, CountedKind.POSITIVE),
        (user.pk, glanced.pk, CountedKind.SKIP),
    }
    _record(user, [event(video, "play", 100), event(video, "finish", 20000)])
    aggregates_flush()
    stats = VideoStats.objects.get(video=video)
    assert (stats.plays, stats.finishes, stats.positives) == (1, 1, 1)


def test_the_counted_marks_go_with_their_viewer_and_their_video(scheduled):
    from feed.models import CountedEngagement

    leaving, staying = UserFactory(), UserFactory()
    deleted, kept = video_with_vector(axis(0)), video_with_vector(axis(1))
    for user in (leaving, staying):
        _record(user, [event(deleted, "play", 100), event(kept, "finish", 20000)])
    leaving.delete()
    assert set(CountedEngagement.objects.values_list("user_id", flat=True)) == {staying.pk}
    deleted.delete()
    assert set(CountedEngagement.objects.values_list("video_id", flat=True)) == {kept.pk}


def test_a_duplicate_event_marks_nothing_so_the_viewers_real_event_counts(scheduled):
    # A play first stored anonymously (its mark-free row), re-sent with the same event_id
    # once the viewer signed in: a duplicate, which must not use up the viewer's mark.
    user, video = UserFactory(), video_with_vector(axis(0))
    play = event(video, "play", 100)
    interactions_record(user=None, session_id="s1", events=[play])
    assert _record(user, [play])["duplicates"] == 1
    _record(user, [event(video, "play", 100)])
    aggregates_flush()
    assert VideoStats.objects.get(video=video).plays == 1
