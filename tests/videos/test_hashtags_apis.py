"""GET /api/hashtags/<name>, /api/hashtags/<name>/videos and the /hashtag/<name> page: Unicode
names in percent-encoded URLs, only what the viewer may see, related hashtags, bad input."""

from __future__ import annotations

from urllib.parse import parse_qs, quote, urlsplit

import pytest

from sounds.models import Sound
from tests.factories import FollowFactory, TagFactory, UserFactory, VideoFactory
from tests.support.errors import assert_error_shape
from videos.models import Privacy, Video
from videos.services.hashtags import video_hashtags_sync
from videos.services.video_edit import video_update

pytestmark = pytest.mark.django_db


def tagged(caption: str, **fields) -> Video:  # noqa: ANN003
    video = VideoFactory(caption=caption, **fields)
    video_hashtags_sync(video=video)
    return video


def ids(response) -> list[int]:  # noqa: ANN001
    assert response.status_code == 200, response.content
    return [card["id"] for card in response.json()["results"]]


def test_a_unicode_hashtag_answers_through_a_percent_encoded_url(client_for):
    video = tagged("night walk #東京")

    header = client_for().get(f"/api/hashtags/{quote('東京')}")
    videos = client_for().get(f"/api/hashtags/{quote('東京')}/videos")

    assert header.status_code == 200
    assert header.json()["name"] == "東京"
    assert header.json()["video_count"] == 1
    assert header.json()["url"] == f"/hashtag/{quote('東京')}"
    assert ids(videos) == [video.pk]


def test_any_spelling_of_a_name_finds_the_folded_hashtag(client_for):
    video = tagged("#Straße")

    assert ids(client_for().get(f"/api/hashtags/{quote('STRASSE')}/videos")) == [video.pk]
    assert client_for().get(f"/api/hashtags/{quote('Straße')}").json()["name"] == "strasse"


def test_private_videos_are_hidden_from_others_but_not_from_their_owner(client_for):
    public = tagged("#trip")
    private = tagged("#trip", privacy=Privacy.PRIVATE)
    followers_only = tagged("#trip", privacy=Privacy.FOLLOWERS)
    follower = UserFactory()
    FollowFactory(follower=follower, followee=followers_only.owner)

    assert ids(client_for().get("/api/hashtags/trip/videos?sort=new")) == [public.pk]
    assert set(ids(client_for(follower).get("/api/hashtags/trip/videos"))) == {
        public.pk,
        followers_only.pk,
    }
    assert private.pk in ids(client_for(private.owner).get("/api/hashtags/trip/videos"))


def test_a_hashtag_only_private_videos_carry_does_not_exist_for_others(client_for):
    secret = tagged("#secretplan #trip", privacy=Privacy.PRIVATE)
    tagged("#trip")

    assert_error_shape(client_for().get("/api/hashtags/secretplan"), 404, "hashtag_not_found")
    assert client_for(secret.owner).get("/api/hashtags/secretplan").status_code == 200
    # its videos list answers as for a name nobody used (an empty list would tell)
    for client in (client_for(), client_for(UserFactory())):
        for sort in ("", "?sort=new", "?cursor=x", "?sort=new&cursor=x"):
            assert_error_shape(
                client.get(f"/api/hashtags/secretplan/videos{sort}"), 404, "hashtag_not_found"
            )
        assert_error_shape(
            client.get("/api/hashtags/nobodyusedthis/videos?cursor=x"), 404, "hashtag_not_found"
        )
    mine = client_for(secret.owner).get("/api/hashtags/secretplan/videos")
    assert [card["id"] for card in mine.json()["results"]] == [secret.pk]
    # Nor does it show as related to a public one.
    related = client_for().get("/api/hashtags/trip").json()["related"]
    assert related == []


def test_caption_edit_moves_the_video_between_hashtag_pages(client_for):
    video = tagged("#before")
    tagged("#before")

    video_update(video=video, actor=video.owner, caption="#after")

    assert video.pk not in ids(client_for().get("/api/hashtags/before/videos"))
    assert ids(client_for().get("/api/hashtags/after/videos")) == [video.pk]
    assert client_for().get("/api/hashtags/before").json()["video_count"] == 1
    assert client_for().get("/api/hashtags/after").json()["video_count"] == 1


def test_related_hashtags_are_ranked_by_shared_videos(client_for):
    tagged("#pasta #cooking #italy")
    tagged("#pasta #cooking")
    tagged("#pasta #rome")
    tagged("#cooking #unrelated")

    related = client_for().get("/api/hashtags/pasta").json()["related"]

    assert [(r["name"], r["shared"]) for r in related] == [
        ("cooking", 2),
        ("italy", 1),
        ("rome", 1),
    ]
    assert related[0]["url"] == "/hashtag/cooking"


def test_popular_sort_puts_the_most_liked_first_and_new_the_newest(client_for):
    older_popular = tagged("#sorting", like_count=50)
    newer = tagged("#sorting", like_count=1)

    assert ids(client_for().get("/api/hashtags/sorting/videos?sort=popular")) == [
        older_popular.pk,
        newer.pk,
    ]
    assert ids(client_for().get("/api/hashtags/sorting/videos?sort=new")) == [
        newer.pk,
        older_popular.pk,
    ]


def test_videos_are_paged_by_cursor_without_overlap(client_for):
    made = {tagged("#paged", like_count=5).pk for _ in range(5)}

    first = client_for().get("/api/hashtags/paged/videos?limit=3").json()
    second = client_for().get(first["next"]).json()

    seen = [c["id"] for c in first["results"]] + [c["id"] for c in second["results"]]
    assert sorted(seen) == sorted(made)


def test_a_cursor_is_refused_by_every_list_but_its_own(client_for):
    for _ in range(3):
        tagged("#mine #other", like_count=5)
    sound = Sound.objects.create(title="theme", kind="uploaded")
    VideoFactory.create_batch(3, sound=sound)
    first = client_for().get("/api/hashtags/mine/videos?sort=popular&limit=1").json()
    cursor = parse_qs(urlsplit(first["next"]).query)["cursor"][0]

    own = client_for().get(f"/api/hashtags/mine/videos?sort=popular&limit=1&cursor={cursor}")
    # Another hashtag, another sort of the same hashtag (two columns as well), a sound's list
    # by views: each would start at this cursor's like count.
    for elsewhere in (
        f"/api/hashtags/other/videos?sort=popular&limit=1&cursor={cursor}",
        f"/api/hashtags/mine/videos?sort=new&limit=1&cursor={cursor}",
        f"/api/sounds/{sound.pk}/videos?sort=popular&limit=1&cursor={cursor}",
    ):
        assert_error_shape(client_for().get(elsewhere), 400, "invalid_cursor")
    assert own.status_code == 200
    assert len(own.json()["results"]) == 1
    # The same hashtag spelled otherwise is the same list.
    respelled = client_for().get(f"/api/hashtags/MINE/videos?sort=popular&limit=1&cursor={cursor}")
    assert [c["id"] for c in respelled.json()["results"]] == [
        c["id"] for c in own.json()["results"]
    ]


def test_a_hashtag_with_the_name_of_a_tag_links_to_it(client_for):
    TagFactory(slug="street-food", name="Street food")
    tagged("#StreetFood")
    tagged("#nolink")

    assert client_for().get("/api/hashtags/streetfood").json()["links"]["tag"] == {
        "slug": "street-food",
        "name": "Street food",
        "url": "/tag/street-food",
    }
    assert client_for().get("/api/hashtags/nolink").json()["links"]["tag"] is None


@pytest.mark.parametrize(
    ("path", "status", "code"),
    [
        (f"/api/hashtags/{quote('two words')}", 400, "invalid_hashtag"),
        ("/api/hashtags/2024", 400, "invalid_hashtag"),
        (f"/api/hashtags/{'x' * 101}", 400, "invalid_hashtag"),
        ("/api/hashtags/neverused", 404, "hashtag_not_found"),
        ("/api/hashtags/neverused/videos", 404, "hashtag_not_found"),
        ("/api/hashtags/known/videos?sort=random", 400, "invalid_sort"),
        ("/api/hashtags/known/videos?cursor=garbage", 400, "invalid_cursor"),
    ],
)
def test_bad_input_gets_a_json_error(client_for, path, status, code):
    tagged("#known")

    assert_error_shape(client_for().get(path), status, code)


def test_the_page_lists_visible_videos_under_a_percent_encoded_unicode_url(client):
    visible = tagged("#ЖИЗНЬ is #good")
    hidden = tagged("#жизнь", privacy=Privacy.PRIVATE)

    response = client.get(f"/hashtag/{quote('ЖИЗНЬ')}")

    html = response.content.decode()
    assert response.status_code == 200
    assert "#жизнь" in html
    assert f'data-video-id="{visible.pk}"' in html
    assert f'data-video-id="{hidden.pk}"' not in html
    assert 'href="/hashtag/good"' in html


def test_the_page_of_an_unknown_or_invalid_hashtag_is_not_found(client):
    assert client.get("/hashtag/neverused").status_code == 404
    assert client.get(f"/hashtag/{quote('not a tag')}").status_code == 404


def test_popular_pages_of_a_hashtag_reach_every_tied_video_once(client_for, monkeypatch):
    from rest_framework.pagination import CursorPagination

    # DRF's cursor offset cap lowered from 1000 to 5: a few ties stand for a thousand.
    monkeypatch.setattr(CursorPagination, "offset_cutoff", 5)
    videos = [tagged("#tied") for _ in range(12)]
    Video.objects.filter(pk__in=[video.pk for video in videos]).update(like_count=3)
    seen: list[int] = []
    url = "/api/hashtags/tied/videos?sort=popular&limit=3"
    for _ in range(10):
        body = client_for().get(url).json()
        seen += [card["id"] for card in body["results"]]
        url = body["next"]
        if not url:
            break
    assert seen == sorted((video.pk for video in videos), reverse=True)
