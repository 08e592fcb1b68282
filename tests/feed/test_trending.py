"""Trending, fresh and cold-start lists (feed.trending_refresh)."""

import datetime as dt

import pytest
from django.utils import timezone

from feed import state
from feed.aggregates import aggregates_flush
from feed.models import Interaction
from feed.services import interactions_record
from feed.tasks import trending_refresh
from tests.factories import UserFactory
from tests.feed.factories import axis, event, video_with_vector
from videos.models import Privacy

pytestmark = pytest.mark.django_db


def _trending_ids():  # noqa: ANN202
    return [int(member) for member in state.redis_client().zrevrange(state.TRENDING_KEY, 0, -1)]


def _engage(video, types, users=3):  # noqa: ANN001, ANN202
    for _ in range(users):
        interactions_record(
            user=UserFactory(), session_id="t", events=[event(video, t) for t in types]
        )
    aggregates_flush()  # the counters, as the flush task applies them


def test_trending_orders_by_engagement_velocity():
    viewed, liked, shared = (video_with_vector(axis(i)) for i in range(3))
    _engage(viewed, ["play", "finish"])
    _engage(liked, ["play", "finish", "like"])
    _engage(shared, ["play", "finish", "share"])
    trending_refresh()
    order = _trending_ids()
    assert order.index(shared.pk) < order.index(liked.pk) < order.index(viewed.pk)


def test_completion_quality_lifts_trending_score():
    finished, abandoned = video_with_vector(axis(0)), video_with_vector(axis(1))
    _engage(finished, ["play", "finish"])
    _engage(abandoned, ["play"])
    trending_refresh()
    order = _trending_ids()
    assert order.index(finished.pk) < order.index(abandoned.pk)


def test_private_videos_never_trend():
    private = video_with_vector(axis(0), privacy=Privacy.PRIVATE)
    owner_events = [event(private, "share")]
    interactions_record(user=private.owner, session_id="t", events=owner_events)
    trending_refresh()
    assert private.pk not in _trending_ids()


def test_fresh_list_holds_new_videos_with_little_exposure():
    old = video_with_vector(axis(0), published_at=timezone.now() - dt.timedelta(days=10))
    new = video_with_vector(axis(1))
    trending_refresh()
    fresh = state.feed_state_load(owner="a", session_id="x", trending_count=1).fresh
    assert new.pk in fresh and old.pk not in fresh


def test_trending_is_computed_on_demand_when_missing():
    from feed.selectors import feed_page

    video_with_vector(axis(0))
    assert not state.redis_client().exists(state.TRENDING_KEY)
    page = feed_page(viewer=None, session_id="s", cursor=None, limit=5)
    assert page["items"]
    assert state.redis_client().exists(state.TRENDING_KEY)


def test_while_one_request_rebuilds_missing_lists_the_others_do_not(monkeypatch):  # noqa: ANN001
    # After a Redis restart every page found the lists missing and ran the whole trending
    # aggregate itself; now one request claims the rebuild and the others wait a little for it,
    # then page from what there is.
    from feed import page_inputs
    from feed.selectors import feed_page

    video_with_vector(axis(0))
    monkeypatch.setattr(page_inputs, "LISTS_REBUILD_WAIT_SECONDS", 0.3)
    assert state.lists_refresh_claim(seconds=60)  # another process is rebuilding
    page = feed_page(viewer=None, session_id="s", cursor=None, limit=5)
    assert isinstance(page["items"], list)
    assert not state.redis_client().exists(state.TRENDING_KEY)  # this request left it alone
    state.lists_refresh_release()
    feed_page(viewer=None, session_id="s2", cursor=None, limit=5)
    assert state.redis_client().exists(state.TRENDING_KEY)
    assert not state.redis_client().exists(state.LISTS_REBUILD_KEY)  # the claim is given back


def test_a_video_published_after_the_lists_were_computed_reaches_the_feed_at_once(celery_eager):  # noqa: ANN001
    from feed.scheduling import lists_refresh_soon
    from feed.selectors import feed_page

    trending_refresh()  # an empty catalogue: the lists exist and are empty
    published = video_with_vector(axis(0))
    lists_refresh_soon()  # what the pipeline's publish step calls
    page = feed_page(viewer=None, session_id="s", cursor=None, limit=5)
    assert [item["id"] for item in page["items"]] == [published.pk]


def test_refreshes_after_publishing_are_debounced(celery_eager):  # noqa: ANN001
    from feed.scheduling import lists_refresh_soon

    first = video_with_vector(axis(0))
    lists_refresh_soon()
    second = video_with_vector(axis(1))
    lists_refresh_soon()  # within the debounce window: no second refresh yet
    fresh = state.feed_state_load(owner="a", session_id="x", trending_count=1).fresh
    assert first.pk in fresh and second.pk not in fresh


def test_refreshes_after_publishing_are_spaced_by_twice_the_last_refresh(monkeypatch):  # noqa: ANN001
    from django.core.cache import cache

    from feed import scheduling
    from feed.tasks import LISTS_REFRESH_SECONDS_KEY

    trending_refresh()
    assert float(cache.get(LISTS_REFRESH_SECONDS_KEY)) >= 0.0  # the refresh timed itself
    countdowns: list[int] = []
    monkeypatch.setattr(
        scheduling.trending_refresh, "apply_async", lambda countdown: countdowns.append(countdown)
    )
    cache.set(LISTS_REFRESH_SECONDS_KEY, 20.0)  # a large catalogue's refresh
    scheduling.lists_refresh_soon()
    scheduling.lists_refresh_soon()
    assert countdowns == [40]


def test_fresh_list_carries_each_videos_completion_counts():
    watched = video_with_vector(axis(0))
    untouched = video_with_vector(axis(1))
    _engage(watched, ["impression", "play", "finish"], users=2)
    trending_refresh()
    loaded = state.feed_state_load(owner="a", session_id="x", trending_count=1)
    assert loaded.fresh_stats[watched.pk] == (2.0, 2.0)
    assert loaded.fresh_stats[untouched.pk] == (0.0, 0.0)


def test_a_page_shortlists_the_fresh_videos_that_complete_well():
    import numpy as np

    from feed.page_plan import FRESH_SHORTLIST, fresh_shortlist

    ids = list(range(1, 41))
    stats = {video_id: (0.0, 40.0) for video_id in ids}  # nobody finishes these
    stats[7] = (38.0, 40.0)
    stats[33] = (0.0, 0.0)  # never shown: the prior keeps it in the running
    for seed in range(20):
        shortlist = fresh_shortlist(ids, stats, excluded={12}, rng=np.random.default_rng(seed))
        assert len(shortlist) == FRESH_SHORTLIST and 12 not in shortlist
        assert 7 in shortlist  # Beta(39, 3) beats every Beta(1, 41)
    counts = sum(
        33 in fresh_shortlist(ids, stats, set(), np.random.default_rng(s)) for s in range(50)
    )
    assert counts >= 40  # unexposed: Beta(1, 1) beats Beta(1, 41) nearly always


def test_the_fresh_list_is_parsed_again_only_when_it_changes():
    import json

    from feed.state import _fresh_parse

    raw = json.dumps([[5, 1, 4], [7, 0, 0], 9]).encode()
    first = _fresh_parse(raw)
    assert first == ([5, 7, 9], {5: (1.0, 4.0), 7: (0.0, 0.0), 9: (0.0, 0.0)})
    assert _fresh_parse(bytes(raw)) is first  # same bytes: the parsed list is reused
    changed = _fresh_parse(json.dumps([[5, 2, 6]]).encode())
    assert changed == ([5], {5: (2.0, 6.0)})
    assert _fresh_parse(None) == (None, {})


def test_anonymous_events_never_move_trending_stats_or_co_engagement():
    """A script posting forged anonymous likes, shares and finishes (fresh sessions, no
    account) changes nothing other viewers are shown: not trending, not the video's counters,
    not the "viewers who liked this also liked" pairs."""
    from feed.models import CoEngagement, VideoStats

    boosted, other, honest = (video_with_vector(axis(i)) for i in range(3))
    for n in range(20):
        interactions_record(
            user=None,
            session_id=f"forged-{n}",
            events=[event(boosted, t) for t in ("play", "finish", "like", "share")]
            + [event(other, "like")],
        )
    _engage(honest, ["play"], users=1)
    trending_refresh()
    order = _trending_ids()
    assert order.index(honest.pk) < order.index(boosted.pk)
    assert not VideoStats.objects.filter(video=boosted).exists()
    assert not CoEngagement.objects.exists()


def test_lists_everyone_shares_leave_out_private_accounts_and_hidden_videos():
    from django.utils import timezone

    from tests.factories import UserFactory

    shown = video_with_vector(axis(0))
    private = video_with_vector(axis(1), owner=UserFactory(is_private=True))
    hidden = video_with_vector(axis(2), hidden_at=timezone.now(), hidden_reason="moderator")
    for video in (shown, private, hidden):
        _engage(video, ["play", "like", "finish"], users=2)

    trending_refresh()

    loaded = state.feed_state_load(owner="a", session_id="x", trending_count=10)
    assert shown.pk in loaded.fresh and shown.pk in loaded.trending
    assert not {private.pk, hidden.pk} & (set(loaded.fresh) | set(loaded.trending))


def test_one_account_counts_once_per_video_in_trending():
    # Twenty plays and finishes from one account (a script, or a viewer on repeat) weigh less
    # than three viewers who each watched once.
    repeated, shared_widely = video_with_vector(axis(0)), video_with_vector(axis(1))
    one = UserFactory()
    interactions_record(
        user=one, session_id="t", events=[event(repeated, t) for t in ["play", "finish"] * 20]
    )
    _engage(shared_widely, ["play", "finish"], users=3)
    trending_refresh()
    order = _trending_ids()
    assert order.index(shared_widely.pk) < order.index(repeated.pk)


def test_a_quiet_catalogue_reads_newest_first_past_a_power_of_ten():
    """Equal lifetime counters: newest first, also when ids cross 100 (Redis orders equal
    scores by the member's string, "99" above "102")."""
    now = timezone.now()
    ids = [98, 99, 100, 101, 102]
    for age, pk in enumerate(reversed(ids)):
        video_with_vector(axis(age), id=pk, published_at=now - dt.timedelta(hours=age + 1))

    trending_refresh()

    assert _trending_ids() == ids[::-1]


def test_a_like_taken_back_neither_trends_nor_flattens_the_popular_order():
    now = timezone.now()
    views = {98: 1000, 99: 10, 100: 500}
    for pk, count in views.items():
        video_with_vector(
            axis(pk % 8), id=pk, view_count=count, published_at=now - dt.timedelta(days=30)
        )
    liked = video_with_vector(axis(3), id=101, published_at=now - dt.timedelta(days=30))
    interactions_record(
        user=UserFactory(), session_id="t", events=[event(liked, "like"), event(liked, "unlike")]
    )

    trending_refresh()

    assert _trending_ids()[:3] == [98, 100, 99]
    assert _trending_ids()[-1] == liked.pk  # by its lifetime counters (none), not as trending


def test_one_account_sending_its_play_and_share_again_does_not_outrank_many_viewers():
    """Each viewer is weighted by their first play or share in the window: sending them again
    every few hours does not keep one account's day-old view at full weight."""
    posted = timezone.now() - dt.timedelta(hours=30)
    organic, boosted = (video_with_vector(axis(i), published_at=posted) for i in range(2))
    for _ in range(8):
        interactions_record(
            user=UserFactory(),
            session_id="t",
            events=[event(organic, t) for t in ("play", "share")],
        )
    booster = UserFactory()
    interactions_record(
        user=booster, session_id="b", events=[event(boosted, t) for t in ("play", "share")]
    )
    Interaction.objects.update(created_at=timezone.now() - dt.timedelta(hours=24))
    interactions_record(
        user=booster, session_id="b", events=[event(boosted, t) for t in ("play", "share")]
    )
    aggregates_flush()

    trending_refresh()

    order = _trending_ids()
    assert order.index(organic.pk) < order.index(boosted.pk)
