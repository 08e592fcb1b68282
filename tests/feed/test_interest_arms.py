"""Interest arms (feed/interest_arms.py) and the session that explores them: a viewer who skips
everything sees other categories' top videos, and the first one they finish leads the next
page; re-planned pages release what the client dropped."""

import numpy as np
import pytest

from feed import state
from feed.aggregates import aggregates_flush
from feed.interest_arms import (
    ArmCatalogue,
    arm_affinity,
    arm_follow,
    arm_order,
    arm_picks,
    arm_prior,
    arms_compute,
    arms_decode,
    arms_encode,
    followed_picks,
)
from feed.selectors import feed_page
from feed.services import interactions_record
from feed.tasks import trending_refresh
from tests.factories import TagCategoryFactory, TagFactory, UserFactory, VideoTagFactory
from tests.feed.factories import axis, cluster, event, near, video_with_vector
from tiktok.api.errors import status_for
from tiktok.errors import ApplicationError
from videos.models import Privacy

pytestmark = pytest.mark.django_db


def _tagged(videos, tag, rank=0):  # noqa: ANN001, ANN202
    for video in videos:
        VideoTagFactory(video=video, tag=tag, rank=rank)
    return videos


def _categories(count: int, per: int = 6) -> list[list]:
    """`count` categories, each one tag and `per` videos near its own axis."""
    groups = []
    for index in range(count):
        tag = TagFactory(slug=f"topic-{index}", category=TagCategoryFactory(slug=f"broad-{index}"))
        groups.append(_tagged(cluster(index, per), tag))
    return groups


def test_a_video_s_arm_is_its_first_tag_s_category_or_the_tag_itself():
    pets = TagCategoryFactory(slug="pets", name="Pets")
    cats = _tagged(cluster(0, 3), TagFactory(slug="cats", category=pets))
    dogs = _tagged(cluster(1, 3), TagFactory(slug="dogs", category=pets))
    comedy = _tagged(cluster(2, 3), TagFactory(slug="comedy", name="Comedy", category=None))
    _tagged(comedy[:1], TagFactory(slug="cats-too", category=pets), rank=1)  # second tag
    private = _tagged(cluster(3, 1, privacy=Privacy.PRIVATE), TagFactory(slug="secret"))

    catalogue, arm_of = arms_compute()

    assert sorted(catalogue.names) == ["Comedy", "Pets"]
    pets_arm = arm_of[cats[0].pk]
    assert {arm_of[v.pk] for v in cats + dogs} == {pets_arm}
    assert {arm_of[v.pk] for v in comedy} == {catalogue.keys[catalogue.names.index("Comedy")]}
    assert private[0].pk not in arm_of
    assert sorted(catalogue.tops[catalogue.index[pets_arm]]) == sorted(v.pk for v in cats + dogs)


def test_tops_follow_engagement_and_transitions_follow_co_engagement():
    first, second, third = _categories(3, per=3)
    user = UserFactory()
    # The viewer finishes one video of the first and of the second category, close together.
    interactions_record(
        user=user, session_id="s", events=[event(first[2], "finish"), event(second[1], "finish")]
    )
    aggregates_flush()
    catalogue, arm_of = arms_compute()
    index = catalogue.index
    a, b, c = (index[arm_of[group[0].pk]] for group in (first, second, third))
    assert catalogue.tops[a][0] == first[2].pk  # the engaged video leads its arm
    assert catalogue.transitions[a, b] == 1.0 and catalogue.transitions[a, c] == 0.0
    assert catalogue.engagement[a] > catalogue.engagement[c]
    # A session that liked the first arm: the second is the likelier next one.
    prior = arm_prior(catalogue, {catalogue.keys[a]: 1.0})
    assert prior[b] > prior[c]
    assert arms_decode(arms_encode(catalogue).encode()).keys == catalogue.keys


def test_the_order_pushes_skipped_arms_back_and_picks_skip_excluded_videos():
    catalogue = ArmCatalogue(
        keys=["a", "b", "c"],
        names=["A", "B", "C"],
        tops=[[1, 2], [3, 4], [5]],
        engagement=np.asarray([1 / 3] * 3),
        transitions=np.zeros((3, 3)),
    )
    rng = np.random.default_rng(0)
    lasts = [arm_order(catalogue, {"b": [0.0, 3.0]}, rng)[-1] for _ in range(50)]
    assert lasts.count(1) >= 45
    assert arm_picks(catalogue, [1, 0, 2], excluded={3, 1}, count=3) == [4, 2, 5]
    assert arm_picks(catalogue, [2, 0], excluded={5}, count=1) == [1]


def _skip(user, video, session="s1"):  # noqa: ANN001, ANN202
    interactions_record(user=user, session_id=session, events=[event(video, "skip", 400)])


def _ids(page):  # noqa: ANN001, ANN202
    return [item["id"] for item in page["items"]]


def test_a_session_that_rejects_everything_explores_categories_then_follows_the_new_one():
    groups = _categories(6)
    trending_refresh()
    user = UserFactory()
    old = groups[0]
    for video in old[:3]:
        interactions_record(user=user, session_id="s1", events=[event(video, "finish")])
    aggregates_flush()
    first = feed_page(viewer=user, session_id="s1", cursor=None, limit=6)
    in_group = [sum(v in {x.pk for x in g} for v in _ids(first)) for g in groups]
    assert in_group[0] >= 3  # the interest the viewer showed

    for video in old[3:6]:  # the viewer is done with it: three fast skips
        _skip(user, video)
    exploring = feed_page(viewer=user, session_id="s1", cursor=first["next_cursor"], limit=6)
    shown = _ids(exploring)
    by_group = [sum(v in {x.pk for x in g} for v in shown) for g in groups]
    assert by_group[0] == 0  # not the rejected category
    assert sum(1 for n in by_group[1:] if n) == 5  # one of every other category
    kinds = [item["reason"]["kind"] for item in exploring["items"]]
    assert kinds.count("explore") == 5  # the sixth slot: whatever is left (trending)

    new = groups[4]
    found = next(v for v in shown if v in {x.pk for x in new})
    interactions_record(user=user, session_id="s1", events=[event(found, "finish")])
    follow_up = feed_page(viewer=user, session_id="s1", cursor=exploring["next_cursor"], limit=6)
    new_ids = {x.pk for x in new}
    assert sum(v in new_ids for v in _ids(follow_up)) >= 3


def test_recording_events_counts_them_for_the_video_s_arm():
    groups = _categories(2)
    trending_refresh()
    user = UserFactory()
    interactions_record(
        user=user,
        session_id="s1",
        events=[event(groups[0][0], "finish"), event(groups[1][0], "skip", 300)],
    )
    owner = state.owner_key(user_id=user.pk, session_id="s1")
    loaded = state.feed_state_load(owner=owner, session_id="s1", trending_count=1)
    arms = loaded.session.interests.arms
    # [hits, misses, misses in a row since the last hit]
    assert sorted(tuple(round(x) for x in counts) for counts in arms.values()) == [
        (0, 1, 1),
        (1, 0, 0),
    ]


def test_a_replan_releases_the_dropped_cards_so_they_can_come_back():
    cluster(0, 12)
    user = UserFactory()
    first = feed_page(viewer=user, session_id="s1", cursor=None, limit=6)
    ids = _ids(first)
    owner = state.owner_key(user_id=user.pk, session_id="s1")
    again = feed_page(
        viewer=user, session_id="s1", cursor=first["next_cursor"], limit=6, release=ids[2:]
    )
    served = {int(v) for v in state.redis_client().smembers(f"feed:served:{owner}:s1")}
    assert set(ids[:2]) <= served  # kept by the client: still served
    assert set(_ids(again)) <= served
    assert set(ids[2:]) & set(_ids(again))  # released cards may come back at once
    # Cards never released are never repeated.
    assert not set(ids[:2]) & set(_ids(again))


def test_a_release_of_videos_the_session_was_never_served_brings_none_of_them_in(settings):  # noqa: ANN001
    # A released card leads the next page (a weight far above any other); a video the session
    # was never served is no dropped card, whatever the client says.
    settings.FEED_RELEASED_WEIGHT = 5.0
    videos = cluster(0, 12)
    stranger = video_with_vector(axis(5))
    user = UserFactory()
    interactions_record(
        user=user, session_id="s1", events=[event(videos[0], "finish", watch_ms=9000)]
    )
    first = feed_page(viewer=user, session_id="s1", cursor=None, limit=3, explore=False)
    assert stranger.pk not in _ids(first)
    owner = state.owner_key(user_id=user.pk, session_id="s1")
    dropped = _ids(first)[-1]
    # The state answers what it took out: the served card only.
    assert state.served_release(
        owner=owner, session_id="s1", video_ids=[stranger.pk, dropped, dropped]
    ) == [dropped]
    again = feed_page(
        viewer=user,
        session_id="s1",
        cursor=first["next_cursor"],
        limit=3,
        explore=False,
        release=[stranger.pk],
    )
    assert len(_ids(again)) == 3 and stranger.pk not in _ids(again)


@pytest.mark.parametrize(
    "release",
    ["x", "1,,2", "-3", ",".join(["1"] * 101)],
)
def test_a_malformed_release_is_a_400_naming_it(release):  # noqa: ANN001
    with pytest.raises(ApplicationError) as caught:
        feed_page(viewer=UserFactory(), session_id="s1", cursor=None, limit=5, release=release)
    assert caught.value.code == "invalid_release"
    assert status_for(caught.value) == 400


def test_the_order_brings_a_liked_arm_forward():
    catalogue = ArmCatalogue(
        keys=["a", "b", "c"],
        names=["A", "B", "C"],
        tops=[[1], [2], [3]],
        engagement=np.asarray([0.6, 0.3, 0.1]),
        transitions=np.zeros((3, 3)),
    )
    rng = np.random.default_rng(0)
    firsts = [arm_order(catalogue, {"c": [1.0, 0.0]}, rng)[0] for _ in range(100)]
    assert firsts.count(2) >= 60  # the least engaged arm, but the one this session finished
    plain = [arm_order(catalogue, {}, rng)[0] for _ in range(100)]
    assert plain.count(2) <= 40


def test_following_an_arm_stops_within_a_few_skips_while_the_affinity_stays():
    assert arm_follow({"a": [1.0, 0.0]}) == {"a": pytest.approx(1 / 3)}
    assert arm_follow({"a": [0.0, 1.0], "b": [0.0, 0.0]}) == {}
    # An arm finished eight times (after decay) then skipped three times: no longer followed,
    # though still liked.
    evidence = {"a": [8.0, 3.0]}
    assert arm_follow(evidence) == {}
    assert arm_affinity(evidence)["a"] > 0.3


def test_an_arm_skipped_twice_in_a_row_is_left_until_its_next_hit():
    # Liked a dozen times, then skipped twice in a row: the viewer has moved on from it.
    liked, moved_on = [12.0, 0.0, 0.0], [12.0, 2.0, 2.0]
    assert arm_follow({"a": liked})["a"] > 0.6 and arm_follow({"a": moved_on}) == {}
    assert arm_affinity({"a": liked})["a"] > 0.8 and arm_affinity({"a": moved_on})["a"] == 0.0
    assert arm_follow({"a": [12.0, 2.0, 1.0]})["a"] > 0.2  # one skip: still followed
    catalogue = ArmCatalogue(
        keys=["a", "b", "c"],
        names=["A", "B", "C"],
        tops=[[1], [2], [3]],
        engagement=np.asarray([0.8, 0.1, 0.1]),
        transitions=np.asarray([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0], [0.0, 0.0, 0.0]]),
    )
    rng = np.random.default_rng(0)
    # Behind the untried arms in the sweep (it led it while liked).
    lasts = [arm_order(catalogue, {"a": moved_on}, rng)[-1] for _ in range(100)]
    assert lasts.count(0) >= 90
    firsts = [arm_order(catalogue, {"a": liked}, rng)[0] for _ in range(100)]
    assert firsts.count(0) >= 90


def test_a_new_viewer_s_first_finish_after_a_sweep_is_followed_at_once():
    """A new viewer (no history) skips the first categories of the sweep and finishes a video
    of another: its long-term taste is then that one finish, and the next page gives the
    finished category reserved slots although the embedding groups other categories' videos
    nearer to the finished one (topics that cut across the categories)."""
    groups = []
    for index in range(6):
        tag = TagFactory(slug=f"scatter-{index}", category=TagCategoryFactory(slug=f"cat-{index}"))
        videos = [
            video_with_vector(axis(j % 3) + 0.3 * axis(3 + (index + j) % 5)) for j in range(6)
        ]
        groups.append(_tagged(videos, tag))
    trending_refresh()
    user = UserFactory()
    first = feed_page(viewer=user, session_id="s1", cursor=None, limit=5)
    shown = _ids(first)
    category = {v.pk: index for index, group in enumerate(groups) for v in group}
    assert len({category[v] for v in shown if v in category}) >= 4  # a sweep of the categories
    liked = category[shown[-1]]
    for video_id in shown[:-1]:
        interactions_record(user=user, session_id="s1", events=[event(video_id, "skip", 400)])
    interactions_record(user=user, session_id="s1", events=[event(shown[-1], "finish")])
    aggregates_flush()  # the long-term taste now holds the one finish
    follow_up = feed_page(viewer=user, session_id="s1", cursor=first["next_cursor"], limit=6)
    assert sum(category.get(v) == liked for v in _ids(follow_up)) >= 2


def test_affinity_follows_the_session_s_hits_and_misses_and_picks_the_liked_arms_tops():
    affinity = arm_affinity({"a": [2.0, 0.0], "b": [0.0, 1.0], "c": [1.0, 1.0], "d": [0.0, 0.0]})
    assert affinity == {"a": 0.5, "b": -1 / 3, "c": 0.0}
    catalogue = ArmCatalogue(
        keys=["a", "b", "c"],
        names=["A", "B", "C"],
        tops=[[1, 2, 3], [4, 5], [6]],
        engagement=np.asarray([1 / 3] * 3),
        transitions=np.zeros((3, 3)),
    )
    assert followed_picks(catalogue, affinity, excluded={2}) == [1, 3]


def _spread(main_axis: int, step: int, toward: float) -> np.ndarray:
    """Mostly along `main_axis`, `toward` axis 0 (where the finished videos are), and a
    different amount towards axis 1 per step (so no two are near-duplicates)."""
    return axis(main_axis) + toward * axis(0) + 0.5 * step * axis(1)


@pytest.mark.parametrize(("arm_weight", "lifted"), [(0.3, True), (0.0, False)])
def test_the_session_s_liked_category_lifts_its_videos_beyond_what_the_vectors_say(
    settings,  # noqa: ANN001
    arm_weight: float,
    lifted: bool,
):
    """The videos a session finishes lift the rest of their category above slightly more
    similar videos of another category (a catalogue whose embedding does not group
    categories); without the lift the other category comes first."""
    settings.FEED_ARM_WEIGHT = arm_weight
    settings.FEED_ARM_SLOT_SHARE = 0.0  # the score's lift alone, without the reserved slots
    liked = TagFactory(slug="scattered", category=TagCategoryFactory(slug="broad-scattered"))
    finished = _tagged([video_with_vector(near(axis(0), 1, 0.1 * i)) for i in range(2)], liked)
    rest = _tagged([video_with_vector(_spread(2 + i % 3, i // 3, 0.35)) for i in range(6)], liked)
    other_tag = TagFactory(slug="other", category=TagCategoryFactory(slug="broad-other"))
    other = _tagged(
        [video_with_vector(_spread(5 + i % 3, i // 3, 0.45)) for i in range(6)], other_tag
    )
    trending_refresh()
    user = UserFactory()
    for video in finished:
        interactions_record(user=user, session_id="s1", events=[event(video, "finish")])
    ids = _ids(feed_page(viewer=user, session_id="s1", cursor=None, limit=3, explore=False))
    from_rest = sum(v in {x.pk for x in rest} for v in ids)
    from_other = sum(v in {x.pk for x in other} for v in ids)
    assert (from_rest, from_other) == ((3, 0) if lifted else (0, 3))
