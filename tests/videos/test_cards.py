"""Video cards built from ids in one query: fields, order, tags and the viewer's flags."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from tests.factories import (
    FollowFactory,
    LikeFactory,
    SaveFactory,
    TagFactory,
    UserFactory,
    VideoFactory,
    VideoTagFactory,
)
from videos.cards import cards_for_ids, video_cards
from videos.models import Video

pytestmark = pytest.mark.django_db


@pytest.fixture
def creator():  # noqa: ANN201
    return UserFactory(display_name="Cat Person", avatar="avatars/cat person.png")


@pytest.fixture
def video(creator):  # noqa: ANN001, ANN201
    """A video with every media file and some counts."""
    return VideoFactory(
        owner=creator,
        mp4="videos/1/video.mp4",
        hls_playlist="videos/1/hls/index.m3u8",
        poster="videos/1/poster.jpg",
        thumbnail="videos/1/thumb.webp",
        view_count=11,
        like_count=5,
        comment_count=3,
        save_count=2,
        share_count=1,
    )


def test_cards_follow_the_order_of_the_ids_and_skip_missing_ones(video):
    other = VideoFactory()
    missing_id = other.pk + 1000

    cards = cards_for_ids(video_ids=[other.pk, missing_id, video.pk], viewer=None)

    assert [card["id"] for card in cards] == [other.pk, video.pk]


def test_card_shows_the_stored_video_and_owner(video, creator):
    stored = Video.objects.select_related("owner").get(pk=video.pk)

    (card,) = cards_for_ids(video_ids=[video.pk], viewer=None)

    assert card == {
        "id": video.pk,
        "caption": stored.caption,
        "privacy": stored.privacy,
        "status": stored.status,
        "created_at": stored.created_at.isoformat(),
        "published_at": stored.published_at.isoformat(),
        "owner": {
            "id": creator.pk,
            "username": creator.username,
            "display_name": "Cat Person",
            "avatar_url": stored.owner.avatar.url,
        },
        "mp4_url": stored.mp4.url,
        "hls_url": stored.hls_playlist.url,
        "poster_url": stored.poster.url,
        "thumbnail_url": stored.thumbnail.url,
        "duration_s": 20.0,
        "width": 720,
        "height": 1280,
        "counts": {"views": 11, "likes": 5, "comments": 3, "saves": 2, "shares": 1},
        "viewer": {"liked": False, "saved": False, "following_owner": False, "is_owner": False},
        "tags": [],
        "captions": None,  # no timed transcript (test_captions.py covers one that has)
        "sound": None,  # no sound (tests/sounds cover one that has)
    }
    assert card["mp4_url"] == "/media/videos/1/video.mp4"
    assert card["owner"]["avatar_url"] == "/media/avatars/cat%20person.png"


def test_card_of_a_video_without_media_has_no_urls_and_falls_back_to_the_username():
    owner = UserFactory(display_name="")
    video = VideoFactory(owner=owner, published_at=None)

    (card,) = cards_for_ids(video_ids=[video.pk], viewer=None)

    assert [card[key] for key in ("mp4_url", "hls_url", "poster_url", "thumbnail_url")] == [
        None
    ] * 4
    assert card["published_at"] is None
    assert card["owner"]["display_name"] == owner.username
    assert card["owner"]["avatar_url"] is None


def test_card_tags_are_the_active_ones_by_rank_then_best_score(video):
    VideoTagFactory(video=video, tag=TagFactory(slug="dogs"), rank=1, score=0.9)
    VideoTagFactory(video=video, tag=TagFactory(slug="cats"), rank=0, score=0.123456)
    VideoTagFactory(video=video, tag=TagFactory(slug="birds"), rank=1, score=0.95, source="creator")
    VideoTagFactory(video=video, tag=TagFactory(slug="retired", is_active=False), rank=0)
    VideoTagFactory(tag=TagFactory(slug="elsewhere"))

    (card,) = cards_for_ids(video_ids=[video.pk], viewer=None)

    assert card["tags"] == [
        {"slug": "cats", "name": "Cats", "score": 0.1235, "source": "auto"},
        {"slug": "birds", "name": "Birds", "score": 0.95, "source": "creator"},
        {"slug": "dogs", "name": "Dogs", "score": 0.9, "source": "auto"},
    ]


def test_card_flags_say_what_the_viewer_liked_saved_and_follows(video, creator):
    viewer = UserFactory()
    LikeFactory(user=viewer, video=video)
    SaveFactory(user=viewer, video=video)
    FollowFactory(follower=viewer, followee=creator)
    untouched = VideoFactory()
    LikeFactory(video=untouched)
    own = VideoFactory(owner=viewer)

    cards = cards_for_ids(video_ids=[video.pk, untouched.pk, own.pk], viewer=viewer)

    assert [card["viewer"] for card in cards] == [
        {"liked": True, "saved": True, "following_owner": True, "is_owner": False},
        {"liked": False, "saved": False, "following_owner": False, "is_owner": False},
        {"liked": False, "saved": False, "following_owner": False, "is_owner": True},
    ]


@pytest.mark.parametrize("anonymous", [None, AnonymousUser()], ids=["none", "anonymous-user"])
def test_card_flags_are_all_off_for_an_anonymous_viewer(video, anonymous):
    LikeFactory(video=video)
    SaveFactory(video=video)

    (card,) = cards_for_ids(video_ids=[video.pk], viewer=anonymous)

    assert card["viewer"] == {
        "liked": False,
        "saved": False,
        "following_owner": False,
        "is_owner": False,
    }


@pytest.mark.parametrize("signed_in", [True, False], ids=["viewer", "anonymous"])
def test_cards_take_one_query(video, signed_in, django_assert_num_queries):
    viewer = UserFactory() if signed_in else AnonymousUser()
    others = [VideoFactory() for _ in range(3)]
    for other in others:
        VideoTagFactory(video=other)

    with django_assert_num_queries(1):
        cards = cards_for_ids(video_ids=[video.pk, *(o.pk for o in others)], viewer=viewer)

    assert len(cards) == 4


def test_no_ids_take_no_query(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert cards_for_ids(video_ids=[], viewer=UserFactory.build()) == []


def test_video_cards_are_the_cards_of_their_ids(video):
    viewer = UserFactory()
    LikeFactory(user=viewer, video=video)
    other = VideoFactory()

    assert video_cards(videos=[other, video], viewer=viewer) == cards_for_ids(
        video_ids=[other.pk, video.pk], viewer=viewer
    )
