"""The For You page: adaptation, negatives, filters, diversity, cold start, reasons, cursors."""

import pytest

from feed.aggregates import aggregates_flush
from feed.selectors import feed_page
from feed.services import interactions_record
from profiles.models import Block
from tests.factories import (
    FollowFactory,
    TagCategoryFactory,
    TagFactory,
    UserFactory,
    VideoTagFactory,
)
from tests.feed.factories import axis, cluster, event, near, video_with_vector
from tiktok.api.errors import status_for
from tiktok.errors import ApplicationError
from videos.models import Privacy, Video
from videos.services.moderation import video_hide

pytestmark = pytest.mark.django_db


def _page(viewer, session="s1", limit=10, cursor=None, explore=True, release=None):  # noqa: ANN001, ANN202
    return feed_page(
        viewer=viewer,
        session_id=session,
        cursor=cursor,
        limit=limit,
        explore=explore,
        release=release,
    )


def _ids(page):  # noqa: ANN001, ANN202
    return [item["id"] for item in page["items"]]


def _record(user, events, session="s1", *, applied=True):  # noqa: ANN001, ANN202
    """Record a batch; with applied, also apply the aggregates it queued (long-term taste,
    co-engagement, stats), as the flush task does a second later. Without it, only what the
    request itself updates (session taste, seen videos, hidden videos) has changed."""
    result = interactions_record(user=user, session_id=session, events=events)
    if applied:
        aggregates_flush()
    return result


def test_pages_never_repeat_within_session():
    user = UserFactory()
    for base in range(4):
        cluster(base, 8)
    seen: list[int] = []
    cursor = None
    for _ in range(3):
        page = _page(user, cursor=cursor)
        seen += _ids(page)
        cursor = page["next_cursor"]
    assert len(seen) == 30
    assert len(set(seen)) == len(seen)


def test_private_videos_never_served():
    user = UserFactory()
    public = cluster(0, 6)
    private = [
        video_with_vector(near(axis(0), 1, 0.01 * i), privacy=Privacy.PRIVATE) for i in range(6)
    ]
    _record(user, [event(public[0], "like")])
    served = set(_ids(_page(user, limit=20)))
    assert served
    assert not served & {v.pk for v in private}


def test_blocked_creators_never_served():
    user, blocked_owner = UserFactory(), UserFactory()
    cluster(0, 6)
    blocked = cluster(0, 3, owner=blocked_owner)
    Block.objects.create(blocker=user, blocked=blocked_owner)
    assert not set(_ids(_page(user, limit=20))) & {v.pk for v in blocked}


def test_at_most_two_per_creator_per_page():
    user, prolific = UserFactory(), UserFactory()
    liked = cluster(0, 12, owner=prolific)
    cluster(5, 10)
    _record(user, [event(liked[0], "like")])
    owners = [item["owner"]["id"] for item in _page(user)["items"]]
    assert owners.count(prolific.pk) <= 2


def test_few_creators_fill_the_page_past_the_cap_and_the_feed_goes_on():
    """A catalogue where one creator owns most videos: a page is filled past the per-creator
    cap when nothing else is left, so it keeps its next cursor and every video is reached."""
    prolific, other = UserFactory(), UserFactory()
    videos = cluster(0, 5, owner=prolific) + cluster(3, 1, owner=other)
    for viewer in (None, UserFactory()):
        session = f"few-{viewer is None}"
        first = _page(viewer, session=session, limit=4)
        owners = [item["owner"]["id"] for item in first["items"]]
        assert len(owners) == 4
        assert owners.count(prolific.pk) == 3  # the cap (2) yields: nothing else is left
        assert first["next_cursor"] is not None
        second = _page(viewer, session=session, limit=4, cursor=first["next_cursor"])
        assert set(_ids(first)) | set(_ids(second)) == {v.pk for v in videos}
        assert second["next_cursor"] is None  # a page short of candidates ends the feed


def test_the_creator_cap_holds_while_other_creators_are_left():
    prolific = UserFactory()
    mine = cluster(0, 6, owner=prolific)
    others = cluster(0, 3)  # the same interest, fewer and of other creators
    viewer = UserFactory()
    _record(viewer, [event(mine[0], "like")])
    page = _page(viewer, limit=5, explore=False)
    owners = [item["owner"]["id"] for item in page["items"]]
    assert len(owners) == 5
    assert owners.count(prolific.pk) == 2
    assert {v.pk for v in others} <= set(_ids(page))


def test_mmr_avoids_near_duplicates():
    user = UserFactory()
    liked = video_with_vector(axis(0))
    duplicates = [video_with_vector(near(axis(0), 1, 0.001 * (i + 1))) for i in range(8)]
    others = [video_with_vector(near(axis(0), j, 0.6)) for j in range(2, 8)]
    _record(user, [event(liked, "like")])
    page = _ids(_page(user, limit=6, explore=False))
    assert len(set(page) & {v.pk for v in duplicates}) <= 3
    assert set(page) & {v.pk for v in others}


def test_like_moves_next_page_toward_liked_cluster():
    user = UserFactory()
    cats = cluster(0, 12)
    cluster(4, 12)  # another interest the page could have taken
    _record(user, [event(cats[0], "like"), event(cats[1], "finish")])
    page = _ids(_page(user, explore=False))
    cat_ids = {v.pk for v in cats}
    assert sum(v in cat_ids for v in page) >= 8


def test_one_click_does_not_hijack_feed():
    user = UserFactory()
    cats, dogs = cluster(0, 20), cluster(4, 20)
    _record(user, [event(v, "like") for v in cats[:6]], session="history")
    _record(user, [event(dogs[0], "like")], session="today", applied=False)
    page = _ids(_page(user, session="today", explore=False))
    cat_ids, dog_ids = {v.pk for v in cats}, {v.pk for v in dogs}
    assert sum(v in cat_ids for v in page) > sum(v in dog_ids for v in page)


def test_session_interest_takes_over_after_enough_evidence():
    user = UserFactory()
    cats, dogs = cluster(0, 20), cluster(4, 25)
    _record(user, [event(v, "like") for v in cats[:3]], session="history")
    _record(user, [event(v, "finish") for v in dogs[:8]], session="today", applied=False)
    page = _ids(_page(user, session="today", explore=False))
    dog_ids = {v.pk for v in dogs}
    assert sum(v in dog_ids for v in page) >= 5


def test_skip_within_two_seconds_demotes_similar_videos(settings):  # noqa: ANN001
    settings.FEED_MMR_LAMBDA = 1.0  # rank by score alone: only the negative feedback moves items
    user = UserFactory()
    center = axis(0)
    liked = video_with_vector(center)
    skipped = video_with_vector(near(center, 1, 0.5))
    like_skipped = [
        video_with_vector(center + 0.5 * axis(1) + 0.35 * axis(2 + i)) for i in range(3)
    ]
    elsewhere = [video_with_vector(near(center, j, 0.9)) for j in range(5, 8)]
    _record(user, [event(liked, "like")])
    before = _ids(_page(user, session="probe-before", limit=10, explore=False))
    _record(user, [event(skipped, "skip", watch_ms=800)], session="s2", applied=False)
    after = _ids(_page(user, session="s2", limit=10, explore=False))

    def ranks(page, videos):  # noqa: ANN001, ANN202
        return [page.index(v.pk) for v in videos]

    assert min(ranks(before, like_skipped)) < max(ranks(before, elsewhere))
    assert min(ranks(after, like_skipped)) > max(ranks(after, elsewhere))


def test_late_skip_is_not_a_negative(settings):  # noqa: ANN001
    settings.FEED_MMR_LAMBDA = 1.0
    user = UserFactory()
    liked = video_with_vector(axis(0))
    skipped = video_with_vector(near(axis(0), 1, 0.5))
    similar = video_with_vector(axis(0) + 0.5 * axis(1) + 0.35 * axis(2))
    elsewhere = video_with_vector(near(axis(0), 5, 0.9))
    _record(user, [event(liked, "like"), event(skipped, "skip", watch_ms=15000)])
    page = _ids(_page(user, limit=10, explore=False))
    assert page.index(similar.pk) < page.index(elsewhere.pk)


def test_not_interested_hides_video_and_buries_near_duplicates():
    user = UserFactory()
    liked = video_with_vector(axis(0))
    unwanted = video_with_vector(near(axis(0), 1, 0.3))
    twin = video_with_vector(near(axis(0), 1, 0.31))
    cluster(0, 10, spread_axis=3)
    _record(user, [event(liked, "like"), event(unwanted, "not_interested")], session="a")
    page = _ids(_page(user, session="b", limit=10, explore=False))
    assert unwanted.pk not in page
    assert twin.pk not in page


def test_anonymous_session_feed_adapts():
    # Enough of each that the next page can be mostly dogs whatever the first one showed.
    cats, dogs = cluster(0, 25), cluster(4, 25)
    anonymous = None
    first = _ids(_page(anonymous, session="anon-1"))
    assert first
    _record(anonymous, [event(dogs[0], "finish"), event(dogs[1], "like")], session="anon-1")
    page = _page(anonymous, session="anon-1", explore=False)
    dog_ids = {v.pk for v in dogs}
    assert sum(i in dog_ids for i in _ids(page)) >= 6
    assert cats


def test_co_engagement_candidates():
    user, others = UserFactory(), [UserFactory() for _ in range(3)]
    seed = video_with_vector(axis(0))
    cluster(0, 12)
    partner = video_with_vector(axis(6))  # far from the taste: only co-engagement finds it
    for other in others:
        _record(other, [event(seed, "finish"), event(partner, "finish")], session="o")
    _record(user, [event(seed, "like")])
    page = _page(user, explore=False)
    assert partner.pk in _ids(page)
    item = next(i for i in page["items"] if i["id"] == partner.pk)
    assert item["reason"]["kind"] == "personalized"


def test_followed_creator_new_video_is_served_as_following():
    user, creator = UserFactory(), UserFactory()
    FollowFactory(follower=user, followee=creator)
    cluster(0, 10)
    theirs = video_with_vector(axis(7), owner=creator)
    _record(user, [event(video_with_vector(axis(0)), "like")])
    page = _page(user, explore=False)
    assert {"id": theirs.pk, "kind": "following"} in [
        {"id": i["id"], "kind": i["reason"]["kind"]} for i in page["items"]
    ]


def test_cold_start_covers_categories():
    categories = [TagCategoryFactory(slug=f"broad-{i}") for i in range(4)]
    for index, category in enumerate(categories):
        tag = TagFactory(slug=f"topic-{index}", category=category)
        for video in cluster(index, 4):
            VideoTagFactory(video=video, tag=tag)
    page = _page(UserFactory())
    tags = {tag["slug"] for item in page["items"] for tag in item["tags"]}
    assert tags == {f"topic-{i}" for i in range(4)}
    assert "cold_start" in {item["reason"]["kind"] for item in page["items"]}


def test_reason_names_shared_tags():
    user = UserFactory()
    cats_tag, other_tag = TagFactory(slug="cats", name="Cats"), TagFactory(slug="cars", name="Cars")
    cats = cluster(0, 8)
    for video in cats:
        VideoTagFactory(video=video, tag=cats_tag)
    VideoTagFactory(video=cats[1], tag=other_tag)
    _record(user, [event(cats[0], "like")])
    items = _page(user, explore=False)["items"]
    cat_items = [i for i in items if i["id"] in {v.pk for v in cats}]
    assert cat_items
    assert all(i["reason"]["because"] == ["Cats"] for i in cat_items)


def test_exploration_share_brings_non_personal_items():
    user = UserFactory()
    cats = cluster(0, 20)
    cluster(4, 20)
    _record(user, [event(cats[0], "like")])
    kinds = [i["reason"]["kind"] for i in _page(user)["items"]]
    assert kinds.count("personalized") == 8
    assert set(kinds) - {"personalized"} <= {"fresh", "trending", "explore"}


def test_thompson_sampling_promotes_fresh_videos_with_good_completion():
    import datetime as dt

    from django.utils import timezone

    old = timezone.now() - dt.timedelta(days=30)
    catalogue = cluster(0, 20, published_at=old)
    good, poor = video_with_vector(axis(6)), video_with_vector(axis(7))
    for watcher in [UserFactory() for _ in range(10)]:
        _record(
            watcher,
            [event(good, "impression"), event(good, "finish"), event(poor, "impression")],
            session="w",
        )
    viewer = UserFactory()
    _record(viewer, [event(catalogue[0], "like")])
    wins = {"good": 0, "poor": 0}
    for index in range(20):
        page = _page(viewer, session=f"visit-{index}")
        fresh = [i["id"] for i in page["items"] if i["reason"]["kind"] == "fresh"]
        wins["good"] += good.pk in fresh
        wins["poor"] += poor.pk in fresh
    assert wins["good"] > 3 * max(wins["poor"], 1)


def test_malformed_cursor_is_rejected():
    with pytest.raises(ApplicationError) as error:
        _page(UserFactory(), cursor="garbage")
    assert status_for(error.value) == 400 and error.value.code == "invalid_cursor"


def test_tampered_cursor_is_rejected():
    cluster(0, 12)
    cursor = _page(None, session="x")["next_cursor"]
    with pytest.raises(ApplicationError):
        _page(
            None, session="x", cursor=cursor[:-2] + ("A" if cursor[-2] != "A" else "B") + cursor[-1]
        )


def test_cursor_of_another_session_is_rejected():
    cluster(0, 12)
    cursor = _page(None, session="x")["next_cursor"]
    with pytest.raises(ApplicationError):
        _page(None, session="y", cursor=cursor)


@pytest.mark.parametrize("limit", [0, 51, -1, "ten"])
def test_limit_out_of_range_is_rejected(limit):  # noqa: ANN001
    with pytest.raises(ApplicationError) as error:
        _page(None, limit=limit)
    assert error.value.code == "invalid_limit"


def _viewer_of_four_topics():  # noqa: ANN202
    for base in range(4):
        cluster(base, 10)
    return UserFactory()


def _drain(user, cursor, session="s1", limit=5):  # noqa: ANN001, ANN202
    """Every id the rest of the session serves from this cursor on."""
    later = []
    while cursor:
        page = _page(user, session=session, limit=limit, cursor=cursor)
        later += _ids(page)
        cursor = page["next_cursor"]
    return later


def test_not_interested_videos_past_the_listed_newest_are_never_served(monkeypatch):
    # The page's context lists a viewer's newest not-interested videos (HIDDEN_MAX, 2 here);
    # the older ones are left out too, by the candidates' facts.
    from feed import candidates
    from feed import state as feed_state

    monkeypatch.setattr(candidates, "HIDDEN_MAX", 2)
    groups = [cluster(base, 10) for base in range(4)]
    user = UserFactory()
    unwanted = [group[0].pk for group in groups[:3]]  # far apart: none buries another
    for video_id in unwanted:  # in an earlier session: only the account remembers them
        _record(user, [event(video_id, "not_interested")], session="earlier", applied=False)
    # Over FEED_SEEN_DAYS later: the viewer's seen videos have expired from Redis.
    owner = feed_state.owner_key(user_id=user.pk, session_id="s1")
    feed_state.redis_client().delete(feed_state.seen_zset_key(owner))
    first = _page(user, limit=5)
    shown = _ids(first) + _drain(user, first["next_cursor"])
    assert len(shown) >= 30
    assert not set(unwanted) & set(shown)


def test_a_retried_page_is_the_same_page_and_releases_once():
    # The answer to a page request was lost in transit and the client asks again with the
    # same cursor (and the same release): it gets the page the first attempt served, whose
    # videos would otherwise be marked served and never offered in the session.
    user = _viewer_of_four_topics()
    first = _page(user, limit=5)
    kept, dropped = _ids(first)[:2], _ids(first)[2:]
    release = ",".join(map(str, dropped))
    lost = _page(user, limit=5, cursor=first["next_cursor"], release=release)
    retry = _page(user, limit=5, cursor=first["next_cursor"], release=release)
    assert _ids(retry) == _ids(lost)
    assert retry["next_cursor"] == lost["next_cursor"]
    assert [item["reason"] for item in retry["items"]] == [item["reason"] for item in lost["items"]]
    # The rest of the session: nothing shown twice, and no video of either page lost.
    later = _drain(user, retry["next_cursor"])
    shown = kept + _ids(lost) + later
    assert len(shown) == len(set(shown))
    assert set(dropped) <= set(_ids(lost)) | set(later)  # released once: offered again


def test_a_first_page_without_a_cursor_is_always_new():
    # A reload opens the feed afresh in the same session: not the page it already showed.
    user = UserFactory()
    for base in range(4):
        cluster(base, 8)
    assert not set(_ids(_page(user, limit=5))) & set(_ids(_page(user, limit=5)))


def test_a_retried_page_leaves_out_what_the_viewer_may_no_longer_see():
    user = _viewer_of_four_topics()
    first = _page(user, limit=5)
    lost = _page(user, limit=8, cursor=first["next_cursor"])
    moderated, private, blocked, unwanted, *rest = _ids(lost)
    video_hide(video=Video.objects.get(pk=moderated), reason="spam")
    Video.objects.filter(pk=private).update(privacy=Privacy.PRIVATE)
    Block.objects.create(blocker=user, blocked=Video.objects.get(pk=blocked).owner)
    interactions_record(user=user, session_id="s1", events=[event(unwanted, "not_interested")])
    retry = _page(user, limit=8, cursor=first["next_cursor"])
    assert _ids(retry) == rest
    assert retry["next_cursor"] == lost["next_cursor"]


def test_a_retry_applies_the_release_its_first_attempt_did_not_carry_once():
    # A loadMore times out after the server built the page; the client then re-plans with the
    # same cursor and releases the unwatched tail of its queue.
    user = _viewer_of_four_topics()
    first = _page(user, limit=5)
    kept, dropped = _ids(first)[:2], _ids(first)[2:]
    lost = _page(user, limit=5, cursor=first["next_cursor"])
    release = ",".join(map(str, dropped))
    retry = _page(user, limit=5, cursor=first["next_cursor"], release=release)
    assert _ids(retry) == _ids(lost)
    following = _page(user, limit=5, cursor=retry["next_cursor"])
    # The same retry again (its answer lost too) releases nothing a later page served since.
    again = _page(user, limit=5, cursor=first["next_cursor"], release=release)
    assert _ids(again) == _ids(lost)
    later = _ids(following) + _drain(user, following["next_cursor"])
    shown = kept + _ids(retry) + later
    assert len(shown) == len(set(shown))
    assert set(dropped) <= set(later)  # released: offered again in the session


def test_a_retry_with_a_smaller_limit_gets_the_page_cut_and_the_rest_comes_back_later():
    user = _viewer_of_four_topics()
    first = _page(user, limit=5)
    lost = _page(user, limit=8, cursor=first["next_cursor"])
    retry = _page(user, limit=3, cursor=first["next_cursor"])
    assert _ids(retry) == _ids(lost)[:3]
    assert retry["next_cursor"]
    later = _drain(user, retry["next_cursor"])
    shown = _ids(first) + _ids(retry) + later
    assert len(shown) == len(set(shown))
    assert set(_ids(lost)[3:]) <= set(later)
    assert len(shown) == 40  # the whole catalogue, each video once


def test_an_anonymous_viewers_not_interested_holds_in_a_retry_and_against_a_release():
    # Anonymous hides live only in the session: a retried page leaves the video out, and a
    # client releasing it (its queue re-planned) does not bring it back.
    from feed import state

    _viewer_of_four_topics()
    first = _page(None, limit=5)
    lost = _page(None, limit=5, cursor=first["next_cursor"])
    unwanted, *rest = _ids(lost)
    _record(None, [event(unwanted, "not_interested")], applied=False)
    retry = _page(None, limit=5, cursor=first["next_cursor"])
    assert _ids(retry) == rest
    following = _page(None, limit=5, cursor=retry["next_cursor"], release=str(unwanted))
    assert unwanted not in _ids(following)
    owner = state.owner_key(user_id=None, session_id="s1")
    assert state.redis_client().sismember(state.served_set_key(owner, "s1"), unwanted)
    assert unwanted not in _drain(None, following["next_cursor"])


def test_a_stale_retry_waits_for_the_page_lock_and_releases_nothing_twice(monkeypatch):
    # Two overlapping retries of one cursor carry the same release. The first takes the page
    # lock, releases the ids, and a later page serves one of them again; the second, which
    # found the remembered page while the lock was held, must read it again under the lock
    # and release nothing, or that video would be offered a second time.
    from feed import state

    user = _viewer_of_four_topics()
    owner = state.owner_key(user_id=user.pk, session_id="s1")
    first = _page(user, limit=5)
    dropped = _ids(first)[2:]
    release = ",".join(map(str, dropped))
    lost = _page(user, limit=5, cursor=first["next_cursor"])
    served_key = state.served_set_key(owner, "s1")
    lock_key = state._page_lock(owner, "s1")
    state.redis_client().set(lock_key, "the-other-retry")  # held by the first retry
    interleaved: list[bool] = []

    def other_requests_meanwhile() -> None:
        if interleaved:
            return
        interleaved.append(True)
        state.redis_client().delete(lock_key)  # the first retry ends...
        _page(user, limit=5, cursor=first["next_cursor"], release=release)
        # ...and a later page serves a released video again.
        state.served_add(owner=owner, session_id="s1", video_ids=[dropped[0]])

    monkeypatch.setattr(state, "lock_pause", other_requests_meanwhile)
    stale = _page(user, limit=5, cursor=first["next_cursor"], release=release)
    assert interleaved == [True]  # it waited for the lock
    assert _ids(stale) == _ids(lost)
    assert state.redis_client().sismember(served_key, dropped[0])  # not released again
    assert not state.redis_client().exists(lock_key)
