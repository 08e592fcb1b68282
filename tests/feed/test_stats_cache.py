"""The per-process cache of engagement counters the ranking reads (feed.stats_cache)."""

import pytest

from feed import stats_cache
from feed.aggregates import aggregates_flush
from feed.candidates import facts_assemble, facts_read
from feed.services import interactions_record
from tests.factories import UserFactory
from tests.feed.factories import axis, event, video_with_vector

pytestmark = pytest.mark.django_db


def _finishes(video) -> float:  # noqa: ANN001
    rows = facts_read(viewer=None, video_ids=[video.pk], embedding_version=None)
    facts = facts_assemble(rows=rows, video_ids=[video.pk], dim=0)
    return float(facts.finishes[0])


def test_counters_are_read_once_then_served_from_the_cache():
    video = video_with_vector(axis(0))
    stats_cache.stats_forget([video.pk])
    assert stats_cache.stats_cached([video.pk]) == ({}, [video.pk])
    _finishes(video)
    found, missing = stats_cache.stats_cached([video.pk])
    assert found == {video.pk: (0.0, 0.0, 0.0)} and missing == []


def test_a_flush_in_this_process_refreshes_the_counts_at_once():
    video = video_with_vector(axis(0))
    assert _finishes(video) == 0.0  # now cached
    interactions_record(user=UserFactory(), session_id="s", events=[event(video, "finish")])
    assert _finishes(video) == 0.0  # queued, not yet applied: the cached count stands
    aggregates_flush()
    assert _finishes(video) == 1.0


def test_entries_expire_and_a_zero_lifetime_turns_the_cache_off(settings, monkeypatch):
    video = video_with_vector(axis(0))
    stats_cache.stats_remember({video.pk: (5.0, 4.0, 3.0)})
    assert stats_cache.stats_cached([video.pk])[0] == {video.pk: (5.0, 4.0, 3.0)}
    later = stats_cache.time.monotonic() + settings.FEED_STATS_CACHE_SECONDS + 1
    monkeypatch.setattr(stats_cache.time, "monotonic", lambda: later)
    assert stats_cache.stats_cached([video.pk]) == ({}, [video.pk])
    monkeypatch.undo()
    settings.FEED_STATS_CACHE_SECONDS = 0
    stats_cache.stats_remember({video.pk: (5.0, 4.0, 3.0)})
    assert stats_cache.stats_cached([video.pk]) == ({}, [video.pk])
