"""Sounds and hashtags as candidate sources of the For You page, with their reasons, and extra
exploration candidates registered by apps above the feed."""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pytest
from django.utils import timezone

from feed.aggregates import aggregates_flush
from feed.candidates import viewer_context
from feed.exploration import (
    exploration_extra,
    exploration_keys,
    exploration_list_register,
    exploration_source_register,
    exploration_source_unregister,
)
from feed.page_model import PageCandidates, PlanSettings
from feed.page_plan import candidate_origins, plan_page
from feed.selectors import feed_page
from feed.services import interactions_record
from feed.state import feed_state_load, redis_client
from sounds.models import Sound
from tests.factories import UserFactory, VideoFactory
from tests.feed.factories import axis, cluster, event, near, video_with_vector
from videos.models import Privacy
from videos.services.hashtags import video_hashtags_sync

pytestmark = pytest.mark.django_db


def _like(user, video, session="s1"):  # noqa: ANN001, ANN202
    interactions_record(user=user, session_id=session, events=[event(video, "like")])
    aggregates_flush()


def _items(user, session="s1", limit=20, explore=False):  # noqa: ANN001, ANN202
    page = feed_page(viewer=user, session_id=session, cursor=None, limit=limit, explore=explore)
    return {item["id"]: item for item in page["items"]}


def _old(**fields):  # noqa: ANN003, ANN202
    """A video without a vector (the taste search cannot find it), published a month ago (not
    fresh), without engagement (not trending)."""
    month_ago = timezone.now() - dt.timedelta(days=30)
    return VideoFactory(published_at=month_ago, created_at=month_ago, **fields)


def test_a_video_with_the_sound_of_a_liked_one_is_a_candidate_with_its_reason():
    user = UserFactory()
    sound = Sound.objects.create(title="the hook")
    liked = video_with_vector(axis(0), sound=sound)
    cluster(0, 4)
    same_sound = _old(sound=sound)
    other_sound = _old(sound=Sound.objects.create(title="another"))
    _like(user, liked)

    items = _items(user)

    assert same_sound.pk in items
    assert items[same_sound.pk]["reason"] == {"kind": "sound", "because": []}
    if other_sound.pk in items:  # a small catalogue fills the page from every source
        assert items[other_sound.pk]["reason"]["kind"] != "sound"


def test_the_viewer_context_reads_videos_sharing_sounds_and_hashtags():
    sound = Sound.objects.create(title="the hook")
    liked = VideoFactory(sound=sound, caption="#Rare #common")
    same_sound = [VideoFactory(sound=sound) for _ in range(2)]
    rare = VideoFactory(caption="#rare")
    commons = [VideoFactory(caption="#common") for _ in range(3)]
    VideoFactory(sound=Sound.objects.create(title="another"), caption="#unrelated")
    for video in [liked, rare, *commons]:
        video_hashtags_sync(video=video)

    context = viewer_context(
        user_id=None, embedding_version=None, recent_positives=[liked.pk], coengagement_limit=10
    )

    assert sorted(context.same_sound) == sorted(v.pk for v in same_sound)
    # The most specific hashtag (fewest videos) comes first.
    assert list(context.same_hashtag) == [rare.pk, *[v.pk for v in reversed(commons)]]
    assert context.same_hashtag[rare.pk] == "rare"
    assert {context.same_hashtag[v.pk] for v in commons} == {"common"}


def test_a_video_sharing_a_hashtag_with_a_liked_one_is_a_candidate_with_its_reason():
    user = UserFactory()
    liked = video_with_vector(axis(0), caption="sunset #Golden_Hour #photo")
    video_hashtags_sync(video=liked)
    cluster(0, 4)
    shared = _old(caption="#golden_hour again")
    video_hashtags_sync(video=shared)
    unrelated = _old(caption="#elsewhere")
    video_hashtags_sync(video=unrelated)
    _like(user, liked)

    items = _items(user)

    assert shared.pk in items
    assert items[shared.pk]["reason"] == {"kind": "hashtag", "because": ["#golden_hour"]}
    if unrelated.pk in items:  # a small catalogue fills the page from every source
        assert items[unrelated.pk]["reason"]["kind"] != "hashtag"


def test_a_private_video_sharing_a_hashtag_is_never_served():
    user = UserFactory()
    liked = video_with_vector(axis(0), caption="#secretsauce")
    video_hashtags_sync(video=liked)
    cluster(0, 4)
    private = _old(caption="#secretsauce", privacy=Privacy.PRIVATE)
    video_hashtags_sync(video=private)
    _like(user, liked)

    assert private.pk not in _items(user)


class _StoredIds(list):
    """A list source's ids, written to its Redis key on every append."""

    def append(self, video_id: int) -> None:
        super().append(video_id)
        redis_client().set(TEST_LIST_KEY, json.dumps(list(self)))


TEST_LIST_KEY = "test:exploration"


@pytest.fixture(params=["function", "redis list"])
def challenge_source(request):  # noqa: ANN001, ANN201
    """An exploration source of each kind: a function, or a Redis key the page reads with its
    feed state."""
    if request.param == "function":
        ids: list[int] = []
        exploration_source_register("test-challenges", lambda: ids)
    else:
        ids = _StoredIds()
        exploration_list_register(
            "test-challenges",
            key=TEST_LIST_KEY,
            parse=lambda raw: json.loads(raw) if raw else [],
        )
    yield ids
    exploration_source_unregister("test-challenges")


def test_the_page_reads_list_sources_with_its_feed_state():
    redis_client().set(TEST_LIST_KEY, b"[7, 8]")
    exploration_list_register(
        "test-list", key=TEST_LIST_KEY, parse=lambda raw: json.loads(raw) if raw else []
    )
    try:
        loaded = feed_state_load(
            owner="u1", session_id="s", trending_count=10, extra_keys=exploration_keys()
        )
        assert loaded.extra[TEST_LIST_KEY] == b"[7, 8]"
        assert exploration_extra(set(), loaded.extra) == [7, 8]
        # What the caller read is what counts (the key is not read again), then exclusions.
        assert exploration_extra({8}, {TEST_LIST_KEY: b"[9, 8]"}) == [9]
        redis_client().delete(TEST_LIST_KEY)
        assert exploration_extra(set()) == []  # not given: read here (gone: no candidates)
    finally:
        exploration_source_unregister("test-list")
    assert TEST_LIST_KEY not in exploration_keys()


def test_a_registered_exploration_source_fills_an_existing_exploration_slot(
    challenge_source, settings
):
    # The taste search reaches the eight nearest: the liked video's own neighbourhood.
    settings.FEED_CANDIDATES = 8
    user = UserFactory()
    liked = video_with_vector(axis(0))
    for tilt in range(1, 9):
        video_with_vector(near(axis(0), tilt % 8 or 1, 0.2 + 0.02 * tilt))
    far = cluster(4, 20)  # far from the taste: what trending and fresh offer
    someone = UserFactory()
    for video in far[:3]:
        _like(someone, video, session="someone")
    month_ago = timezone.now() - dt.timedelta(days=30)
    # Nearer the taste than anything trending offers, beyond the reach of the taste search.
    challenge = video_with_vector(
        near(axis(0), 7, 0.8), caption="join the challenge", published_at=month_ago
    )
    _like(user, liked)
    without = _items(user, session="without", limit=10, explore=True)
    assert challenge.pk not in without, without[challenge.pk]["reason"]

    challenge_source.append(challenge.pk)
    items = _items(user, session="with", limit=10, explore=True)

    assert items[challenge.pk]["reason"]["kind"] == "explore"
    kinds = [item["reason"]["kind"] for item in items.values()]
    # The page's exploration share is unchanged: the challenge took one of its slots.
    assert kinds.count("personalized") == 8


def test_a_failing_exploration_source_does_not_fail_the_page():
    user = UserFactory()
    liked = cluster(0, 12)
    _like(user, liked[0])

    def broken() -> list[int]:
        raise RuntimeError("source down")

    exploration_source_register("broken", broken)
    try:
        assert _items(user, limit=10, explore=True)
    finally:
        exploration_source_unregister("broken")


def _plan_candidates(extra_vector: list[float]) -> PageCandidates:
    """Twelve personal candidates along axis 0 and one extra candidate."""
    from feed.page_model import CandidateFacts

    ids = list(range(1, 14))
    vectors = np.asarray(
        [near(axis(0), 1 + i % 6, 0.2 + 0.05 * i) for i in range(12)] + [extra_vector],
        dtype=np.float32,
    )
    sources = {"nearest": ids[:12], "extra": [13]}
    origin, members = candidate_origins(sources, set())
    n = len(ids)
    return PageCandidates(
        taste=axis(0),
        sources=sources,
        coengaged={},
        facts=CandidateFacts(
            ids=ids,
            owners=ids,
            age_hours=np.full(n, 500.0),
            impressions=np.zeros(n),
            plays=np.zeros(n),
            finishes=np.zeros(n),
            likes=np.zeros(n),
            vectors=vectors,
            has_vector=np.ones(n, dtype=bool),
        ),
        origin=origin,
        members=members,
        negatives=np.zeros((0, 8), dtype=np.float32),
        negative_strengths=[],
    )


def test_an_extra_candidate_takes_an_exploration_slot_not_a_personal_one():
    candidates = _plan_candidates(near(axis(3), 0, 0.1))

    explored = plan_page(
        candidates, limit=10, explore=True, rng=np.random.default_rng(0), config=PlanSettings()
    )
    personal_only = plan_page(
        candidates, limit=10, explore=False, rng=np.random.default_rng(0), config=PlanSettings()
    )

    assert explored.kinds[13] == "explore"
    assert sum(kind == "personalized" for kind in explored.kinds.values()) == 8
    assert 13 not in personal_only.video_ids
