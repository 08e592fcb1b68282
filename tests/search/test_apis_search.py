"""/api/search: typed results, paging, visibility, and the text paths when the embedder is
down (the semantic path with the real embedder is in test_video_search_semantic.py)."""

import pytest
from django.utils import timezone

from profiles.models import Block
from search.documents import documents_refresh
from search.models import SearchQuery
from search.query_log import queries_flush
from sounds.models import Sound
from tests.factories import FollowFactory, TagFactory, UserFactory, VideoTagFactory
from tests.search.conftest import ids, indexed_video, public_hashtag
from videos.models import Hashtag, Privacy, Video
from videos.services.videos import video_views_add

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_embedder")]


def _get(client, **params):  # noqa: ANN001, ANN003, ANN202
    response = client.get("/api/search", params)
    assert response.status_code == 200, response.content
    return response.json()


def _rest(client, first, **params) -> list[int]:  # noqa: ANN001, ANN003
    """The ids of every page after `first`, following the cursors."""
    seen: list[int] = []
    cursor = first["next_cursor"]
    while cursor:
        page = _get(client, cursor=cursor, **params)
        seen += ids(page)
        cursor = page["next_cursor"]
    return seen


def test_without_the_embedder_search_runs_on_text_and_says_so(api_client):
    match = indexed_video(caption="a cat on a skateboard")
    indexed_video(caption="cooking pasta")
    body = _get(api_client, q="skateboard", type="videos")
    assert body["method"] == "text"
    assert body["semantic"] is False
    assert body["degraded"] == "embedder_unavailable"
    assert ids(body) == [match.pk]


def test_a_misspelt_word_finds_the_video_through_trigrams(api_client):
    match = indexed_video(caption="learning the ukulele in a week")
    indexed_video(caption="a day at the beach")
    assert ids(_get(api_client, q="ukelele", type="videos")) == [match.pk]


def test_a_prefix_finds_the_video(api_client):
    match = indexed_video(caption="skateboarding tricks")
    assert ids(_get(api_client, q="skatebo", type="videos")) == [match.pk]


def test_websearch_syntax_minus_excludes_and_quotes_need_the_phrase(api_client):
    red = indexed_video(caption="red fox in the snow")
    grey = indexed_video(caption="grey fox hunting mice")
    assert set(ids(_get(api_client, q="fox -grey", type="videos"))) == {red.pk}
    assert ids(_get(api_client, q='"fox hunting"', type="videos"))[0] == grey.pk


def test_videos_the_viewer_may_not_see_are_left_out(client_for):
    viewer = UserFactory()
    shown = indexed_video(caption="marble run build")
    indexed_video(caption="marble run private", privacy=Privacy.PRIVATE)
    hidden = indexed_video(caption="marble run hidden")
    Video.objects.filter(pk=hidden.pk).update(hidden_at=timezone.now())
    blocked = indexed_video(caption="marble run blocked")
    Block.objects.create(blocker=viewer, blocked=blocked.owner)
    assert ids(_get(client_for(viewer), q="marble run", type="videos")) == [shown.pk]


def test_followers_only_videos_are_found_by_followers(client_for):
    video = indexed_video(caption="behind the scenes", privacy=Privacy.FOLLOWERS)
    follower = UserFactory()
    FollowFactory(follower=follower, followee=video.owner)
    assert ids(_get(client_for(follower), q="scenes", type="videos")) == [video.pk]
    assert ids(_get(client_for(UserFactory()), q="scenes", type="videos")) == []


def test_video_pages_follow_the_cursor_without_repeats(api_client):
    made = {indexed_video(caption=f"origami crane number {n}").pk for n in range(7)}
    first = _get(api_client, q="origami", type="videos", limit=3)
    second = _get(api_client, q="origami", type="videos", limit=3, cursor=first["next_cursor"])
    third = _get(api_client, q="origami", type="videos", limit=3, cursor=second["next_cursor"])
    seen = ids(first) + ids(second) + ids(third)
    assert len(seen) == len(set(seen)) == 7
    assert set(seen) == made
    assert third["next_cursor"] is None


def test_later_pages_are_cut_from_the_first_pages_ranking_whatever_changes_between(
    api_client, settings
):
    # A common word: more matches than the full-text path ranks. Each page ranked afresh took
    # whichever matches the scan met first, which a counted play or a rebuilt document moves,
    # so the next page repeated or skipped videos.
    settings.SEARCH_FULLTEXT_MATCHES_MAX = 3
    videos = [indexed_video(caption="cat") for _ in range(6)]
    first = _get(api_client, q="cat", type="videos", limit=2)
    documents_refresh(video_ids=[videos[0].pk])  # its row is rewritten at the end of the table
    video_views_add({videos[0].pk: 1})
    later = indexed_video(caption="cat")  # published meanwhile: not in this search's list
    second = _get(api_client, q="cat", type="videos", limit=2, cursor=first["next_cursor"])
    seen = ids(first) + ids(second)
    assert len(seen) == len(set(seen)) == 3
    assert later.pk not in seen
    assert second["next_cursor"] is None


def test_a_video_made_private_between_pages_is_left_out_of_the_next(api_client):
    videos = [indexed_video(caption=f"origami swan {n}") for n in range(4)]
    first = _get(api_client, q="origami", type="videos", limit=2)
    hidden = next(video for video in videos if video.pk not in ids(first))
    Video.objects.filter(pk=hidden.pk).update(privacy=Privacy.PRIVATE)
    second = _get(api_client, q="origami", type="videos", limit=2, cursor=first["next_cursor"])
    assert hidden.pk not in ids(second)
    assert len(ids(second)) == 1 and not set(ids(second)) & set(ids(first))


def test_a_later_page_checks_every_video_it_serves_for_this_viewer(client_for, api_client):
    creator, follower = UserFactory(), UserFactory()
    FollowFactory(follower=follower, followee=creator)
    for n in range(4):
        indexed_video(caption=f"quokka selfie {n}", owner=creator, privacy=Privacy.FOLLOWERS)
    first = _get(client_for(follower), q="quokka", type="videos", limit=1)
    assert len(ids(first)) == 1

    # The follower's cursor, replayed by someone who may not see those videos.
    replayed = _get(api_client, q="quokka", type="videos", limit=1, cursor=first["next_cursor"])
    assert ids(replayed) == []


def test_later_pages_fill_past_videos_gone_since_without_repeats(client_for):
    client = client_for(UserFactory())
    for n in range(8):
        indexed_video(caption=f"numbat dig {n}")
    full = ids(_get(client, q="numbat", type="videos", limit=8))
    first = _get(client, q="numbat", type="videos", limit=2)
    assert ids(first) == full[:2]
    Video.objects.filter(pk__in=[full[2], full[4]]).update(privacy=Privacy.PRIVATE)

    seen = ids(first) + _rest(client, first, q="numbat", type="videos", limit=2)

    assert seen == [pk for pk in full if pk not in (full[2], full[4])]


def test_a_cursor_of_another_search_or_tampered_is_400(api_client):
    for n in range(3):
        indexed_video(caption=f"juggling {n}")
    cursor = _get(api_client, q="juggling", type="videos", limit=1)["next_cursor"]
    other = api_client.get("/api/search", {"q": "cooking", "type": "videos", "cursor": cursor})
    assert other.status_code == 400 and other.json()["error"] == "invalid_cursor"
    bad = api_client.get("/api/search", {"q": "juggling", "type": "videos", "cursor": "x" + cursor})
    assert bad.status_code == 400 and bad.json()["error"] == "invalid_cursor"


def test_users_are_found_by_username_prefix_and_display_name_with_typos(api_client):
    exact = UserFactory(username="bakerbob", display_name="Bob")
    prefixed = UserFactory(username="bakerbobby", display_name="Bobby")
    by_name = UserFactory(username="zx81", display_name="Margaret Bakerson")
    UserFactory(username="unrelated", display_name="Nobody Here")
    assert ids(_get(api_client, q="bakerbob", type="users"))[:2] == [exact.pk, prefixed.pk]
    assert by_name.pk in ids(_get(api_client, q="margret", type="users"))


def test_suspended_and_blocked_accounts_are_not_found(client_for):
    viewer = UserFactory()
    UserFactory(username="quietsuspended", suspended_at=timezone.now())
    blocker = UserFactory(username="quietblocker")
    Block.objects.create(blocker=blocker, blocked=viewer)
    shown = UserFactory(username="quietshown")
    assert ids(_get(client_for(viewer), q="quiet", type="users")) == [shown.pk]


def test_user_pages_follow_the_cursor(api_client):
    made = {UserFactory(username=f"pagedcat{n}").pk for n in range(5)}
    first = _get(api_client, q="pagedcat", type="users", limit=2)
    seen = ids(first) + _rest(api_client, first, q="pagedcat", type="users", limit=2)
    assert len(seen) == 5 and set(seen) == made


def test_hashtags_exact_first_then_prefixes_by_popularity_then_typos(api_client):
    public_hashtag("dancechallenge", 50)
    public_hashtag("dance", 3)
    public_hashtag("dancemoves", 900)
    Hashtag.objects.create(name="unused_dance", video_count=0)
    names = [item["name"] for item in _get(api_client, q="#dance", type="hashtags")["items"]]
    assert names == ["dance", "dancemoves", "dancechallenge"]
    typo = [item["name"] for item in _get(api_client, q="dancemovse", type="hashtags")["items"]]
    assert typo[0] == "dancemoves"


def test_sounds_by_title_or_creator_never_hidden_ones(api_client):
    creator = UserFactory(username="djmarla")
    by_title = Sound.objects.create(title="Summer Breeze Loop", use_count=10, kind="uploaded")
    by_creator = Sound.objects.create(title="untitled", creator=creator, kind="uploaded")
    Sound.objects.create(title="Summer Breeze Remix", hidden_at=timezone.now(), kind="uploaded")
    assert ids(_get(api_client, q="summer breeze", type="sounds")) == [by_title.pk]
    assert ids(_get(api_client, q="djmar", type="sounds")) == [by_creator.pk]
    item = _get(api_client, q="summer", type="sounds")["items"][0]
    assert item["url"] == f"/sound/{by_title.pk}"


def test_the_all_view_has_every_kind_and_puts_an_exact_account_first(api_client):
    user = UserFactory(username="rollerqueen")
    video = indexed_video(caption="rollerqueen skating at dawn")
    public_hashtag("rollerqueenvibes", 4)
    sound = Sound.objects.create(title="rollerqueen theme", kind="uploaded")
    body = _get(api_client, q="rollerqueen")
    assert body["type"] == "all"
    assert ids(body["users"]) == [user.pk]
    assert ids(body["videos"]) == [video.pk] == ids(body)  # top-level items: the videos
    assert [h["name"] for h in body["hashtags"]["items"]] == ["rollerqueenvibes"]
    assert ids(body["sounds"]) == [sound.pk]
    assert [entry["kind"] for entry in body["top"]] == ["user", "video", "hashtag", "sound"]


def test_a_tag_filter_keeps_the_tags_videos(api_client):
    tag = TagFactory(slug="baking")
    tagged = indexed_video(caption="bread at home")
    VideoTagFactory(video=tagged, tag=tag)
    indexed_video(caption="bread in the oven")
    assert ids(_get(api_client, q="bread", tag="baking")) == [tagged.pk]
    listing = _get(api_client, tag="baking")
    assert listing["method"] == "tag" and ids(listing) == [tagged.pk]


def _searchers(query: str) -> int:
    queries_flush()
    return SearchQuery.objects.filter(query=query).values_list("count", flat=True).first() or 0


def test_a_first_page_search_is_counted_for_suggestions(api_client):
    _get(api_client, q="Sourdough Starter")
    assert _searchers("sourdough starter") == 1


@pytest.mark.parametrize(
    "query",
    [
        "'; DROP TABLE videos_video; --",
        "a & b | !c <-> (d:*)",
        "(((",
        "🐱🎸",
        '" " -',
        "OR AND NOT",
        "\\x00 %_ %%",
        "cat\x00dog",
    ],
)
def test_odd_queries_answer_200_and_change_nothing(api_client, query):
    video = indexed_video(caption="a cat and a dog")
    for kind in ("all", "videos", "users", "hashtags", "sounds"):
        body = _get(api_client, q=query, type=kind)
        assert isinstance(body["items"], list)
    assert Video.objects.filter(pk=video.pk).exists()


def test_punctuation_only_answers_200_with_nothing_found(api_client):
    indexed_video(caption="!!! ??? ...")
    body = _get(api_client, q="!?.;:()")
    assert body["method"] == "none" and body["items"] == [] and body["top"] == []


def test_a_query_of_exclusions_only_answers_nothing_found_without_reading_every_document(
    api_client, django_assert_max_num_queries
):
    indexed_video(caption="the cat")
    indexed_video(caption="a dog")
    for q in ("-the", "-the -cat", "- -the"):
        for kind in ("all", "videos", "users"):
            body = _get(api_client, q=q, type=kind)
            assert body["method"] == "none", (q, kind)
            assert body["items"] == [] and "excludes" in body["note"]
    with django_assert_max_num_queries(2):  # the session and the throttle, no search
        _get(api_client, q="-the -cat", type="videos")
    # With something to find, exclusions still apply.
    assert ids(_get(api_client, q="cat -dog", type="videos")) != []
    assert ids(_get(api_client, q="dog -dog", type="videos")) == []


def test_an_overlong_query_is_400_naming_the_limit(api_client, settings):
    response = api_client.get("/api/search", {"q": "x" * 2000})
    assert response.status_code == 400
    assert response.json()["error"] == "query_too_long"
    assert str(settings.SEARCH_QUERY_MAX_CHARS) in response.json()["detail"]


@pytest.mark.parametrize(
    ("params", "error"),
    [
        ({}, "missing_query"),
        ({"q": "cat", "type": "planets"}, "invalid_type"),
        ({"q": "cat", "limit": "0"}, "invalid_limit"),
        ({"q": "cat", "limit": "many"}, "invalid_limit"),
    ],
)
def test_bad_parameters_are_400_naming_the_problem(api_client, params, error):
    response = api_client.get("/api/search", params)
    assert response.status_code == 400
    assert response.json()["error"] == error


def test_anonymous_searches_count_by_client_address_not_by_a_session_id_they_pick(api_client):
    # Three session ids from one address are one searcher: no anonymous client can put a
    # phrase in everyone's suggestions alone. Another address is another searcher.
    for index in range(3):
        api_client.get("/api/search", {"q": "ana is a thief"}, HTTP_X_SESSION_ID=f"forged-{index}")
    assert _searchers("ana is a thief") == 1
    api_client.get("/api/search", {"q": "ana is a thief"}, REMOTE_ADDR="10.0.0.9")
    assert _searchers("ana is a thief") == 2
