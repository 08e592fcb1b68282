"""Concurrent batches of one session: every batch's session-taste update lands (two tabs, or a
client flushing its queued batches at once, must not overwrite each other's)."""

from __future__ import annotations

import threading

import numpy as np
import pytest
from django.conf import settings
from django.db import connection

from feed import interaction_state, state
from feed.services import interactions_record
from tests.factories import UserFactory
from tests.feed.factories import axis, event, video_with_vector


def _update(vector: np.ndarray, *, weight: float = 0.0, strength: float = 0.0, video_id: int):
    return interaction_state.SessionUpdate(
        vector=vector, weight=weight, strength=strength, video_id=video_id
    )


def _session(owner: str, session_id: str) -> state.SessionTaste:
    raw = state.redis_client().hgetall(f"{state.PREFIX}s:{owner}:{session_id}")
    return state.session_taste_parse(raw, None)


def test_a_session_write_that_lost_to_another_batch_is_folded_in_again() -> None:
    # Both batches read the session before either wrote it: the second write is refused
    # (its revision is stale) and then applied on top of the first.
    client = state.redis_client()
    first, second = client.pipeline(transaction=False), client.pipeline(transaction=False)
    write_a = interaction_state.session_updates_apply(
        owner="u1",
        session_id="s",
        updates=[_update(axis(0), weight=1.5, video_id=1)],
        raw={},
        pipe=first,
    )
    write_b = interaction_state.session_updates_apply(
        owner="u1",
        session_id="s",
        updates=[
            _update(axis(1), weight=2.0, video_id=2),
            _update(axis(2), strength=0.35, video_id=3),
        ],
        raw={},
        pipe=second,
    )
    interaction_state.session_writes_settle([write_a], first.execute())
    results = second.execute()
    assert results[write_b.index] == 0  # lost: the session changed since it was read
    interaction_state.session_writes_settle([write_b], results)
    taste = _session("u1", "s")
    assert taste.weight == pytest.approx(3.5)
    assert taste.vector[0] > 0 and taste.vector[1] > 0  # both positives moved the EMA
    assert len(taste.strengths) == 1
    assert np.allclose(taste.negatives[0], axis(2))


@pytest.mark.django_db(transaction=True)
def test_concurrent_batches_of_one_session_all_reach_its_taste() -> None:
    user = UserFactory()
    batches = 4
    videos = [video_with_vector(axis(i % 8)) for i in range(batches * 6)]
    skipped = [video_with_vector(axis(7)) for _ in range(batches * 2)]
    barrier = threading.Barrier(batches)
    results: list[dict] = []

    def send(index: int) -> None:
        try:
            mine = videos[index * 6 : (index + 1) * 6]
            skips = skipped[index * 2 : (index + 1) * 2]
            events = [event(v, "finish", 20000) for v in mine]
            events += [event(v, "skip", 300) for v in skips]
            barrier.wait()
            results.append(interactions_record(user=user, session_id="tabs", events=events))
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(i,)) for i in range(batches)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(r["accepted"] for r in results) == batches * 8
    taste = _session(f"u{user.pk}", "tabs")
    assert taste.weight == pytest.approx(batches * 6 * settings.FEED_WEIGHT_FINISH)
    assert len(taste.strengths) == batches * 2


@pytest.mark.django_db(transaction=True)
def test_concurrent_pages_of_one_session_never_share_a_video() -> None:
    # A re-plan racing the next page, or a duplicated tab: both requests build their page,
    # one after the other, and no video is on both.
    from feed.selectors import feed_page
    from tests.feed.factories import cluster

    user = UserFactory()
    for base in range(4):
        cluster(base, 10)
    first = feed_page(viewer=user, session_id="tabs", cursor=None, limit=5)
    barrier = threading.Barrier(2)
    pages: dict[str, list[int]] = {}

    def load(name: str, cursor: str | None) -> None:
        try:
            barrier.wait()
            page = feed_page(viewer=user, session_id="tabs", cursor=cursor, limit=10)
            pages[name] = [item["id"] for item in page["items"]]
        finally:
            connection.close()

    threads = [
        threading.Thread(target=load, args=("next", first["next_cursor"])),
        threading.Thread(target=load, args=("tab", None)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(pages["next"]) == len(pages["tab"]) == 10
    assert not set(pages["next"]) & set(pages["tab"])
    assert not set(pages["next"] + pages["tab"]) & {item["id"] for item in first["items"]}


@pytest.mark.django_db(transaction=True)
def test_a_video_two_concurrent_batches_of_one_viewer_report_counts_once(monkeypatch) -> None:  # noqa: ANN001
    # A client flushing queued batches at once: both report the same finished video. The
    # second batch must read the recent positives the first wrote, or each counts the video
    # (its positives, its co-engagement pairs) as new.
    from feed import services
    from feed.aggregates import aggregates_flush
    from feed.models import CoEngagement, VideoStats

    user = UserFactory()
    first_seen, second_seen, shared = (video_with_vector(axis(i)) for i in range(3))
    first_inside, second_waiting = threading.Event(), threading.Event()
    real_update, real_pause = services.taste_update, state.lock_pause

    def update_pausing_the_first(**kwargs):  # noqa: ANN003, ANN202
        if threading.current_thread().name == "first":
            first_inside.set()
            second_waiting.wait(timeout=10)
        return real_update(**kwargs)

    def pause_noting_the_wait() -> None:
        if threading.current_thread().name == "second":
            second_waiting.set()
        real_pause()

    monkeypatch.setattr(services, "taste_update", update_pausing_the_first)
    monkeypatch.setattr(state, "lock_pause", pause_noting_the_wait)
    failures: list[BaseException] = []

    def send(video) -> None:  # noqa: ANN001
        try:
            events = [event(video, "finish", 20000), event(shared, "finish", 20000)]
            interactions_record(user=user, session_id="s", events=events)
        except BaseException as exc:  # noqa: BLE001 - reported by the test below
            failures.append(exc)
        finally:
            second_waiting.set()  # a second batch that never waited ends the first's pause
            connection.close()

    first = threading.Thread(target=send, args=(first_seen,), name="first")
    first.start()
    assert first_inside.wait(timeout=10)
    second = threading.Thread(target=send, args=(second_seen,), name="second")
    second.start()
    first.join(timeout=30)
    second.join(timeout=30)
    assert not failures
    aggregates_flush()
    assert VideoStats.objects.get(video=shared).positives == 1
    pairs = {(p.video_a_id, p.video_b_id): p.count for p in CoEngagement.objects.all()}
    ids = sorted(v.pk for v in (first_seen, second_seen, shared))
    assert pairs == {(a, b): 1 for i, a in enumerate(ids) for b in ids[i + 1 :]}
    owner = state.owner_key(user_id=user.pk, session_id="s")
    assert interaction_state.recent_positives_many(owners=[owner])[owner] == [
        shared.pk,
        second_seen.pk,
        first_seen.pk,
    ]


@pytest.mark.django_db
def test_a_batch_that_fails_frees_its_viewers_history_lock(monkeypatch) -> None:  # noqa: ANN001
    from feed import services

    user, video = UserFactory(), video_with_vector(axis(0))

    def insert_failing(**kwargs):  # noqa: ANN003, ANN202
        raise RuntimeError("the database went away")

    monkeypatch.setattr(services, "_interactions_insert", insert_failing)
    with pytest.raises(RuntimeError):
        interactions_record(user=user, session_id="s", events=[event(video, "finish", 20000)])
    owner = state.owner_key(user_id=user.pk, session_id="s")
    assert not state.redis_client().exists(state.history_lock_key(owner))
    monkeypatch.undo()
    waits: list[int] = []
    monkeypatch.setattr(state, "lock_pause", lambda: waits.append(1))
    result = interactions_record(user=user, session_id="s", events=[event(video, "finish", 20000)])
    assert result["accepted"] == 1 and not waits
