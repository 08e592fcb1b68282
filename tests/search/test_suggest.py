"""/api/search/suggest: accounts, hashtags, sounds and frequent queries for the search box."""

import pytest
from django.utils import timezone

from feed.state import redis_client
from profiles.models import Block
from search.models import SearchQuery
from search.query_log import queries_flush, query_log
from sounds.models import Sound
from tests.factories import UserFactory
from tests.search.conftest import public_hashtag

pytestmark = pytest.mark.django_db


def _suggest(client, q):  # noqa: ANN001, ANN202
    response = client.get("/api/search/suggest", {"q": q})
    assert response.status_code == 200, response.content
    return [(item["kind"], item["text"], item["url"]) for item in response.json()["suggestions"]]


def test_prefixes_of_accounts_hashtags_and_sounds_are_suggested(api_client):
    UserFactory(username="pianoman")
    public_hashtag("pianocover", 12)
    sound = Sound.objects.create(title="Piano Intro", use_count=3, kind="uploaded")
    UserFactory(username="guitarist")
    found = _suggest(api_client, "pian")
    assert ("user", "pianoman", "/@pianoman") in found
    assert ("hashtag", "pianocover", "/hashtag/pianocover") in found
    assert ("sound", "Piano Intro", f"/sound/{sound.pk}") in found
    assert all("guitar" not in text for _, text, _ in found)


def test_frequent_queries_are_suggested_after_the_flush_and_rare_ones_are_not(api_client):
    for searcher in ("a", "b", "c"):
        query_log(q="Easy Pasta Recipes", searcher=searcher)
    query_log(q="easy pastry dough", searcher="a")
    assert queries_flush() == 2
    assert SearchQuery.objects.get(query="easy pasta recipes").count == 3
    found = _suggest(api_client, "easy pa")
    assert ("query", "easy pasta recipes", None) in found
    assert all(text != "easy pastry dough" for _, text, _ in found)


def test_one_searcher_counts_once_however_often_they_search(api_client):
    for _ in range(5):
        query_log(q="my neighbour's name", searcher="a")
    queries_flush()
    assert SearchQuery.objects.get(query="my neighbour's name").count == 1
    assert ("query", "my neighbour's name", None) not in _suggest(api_client, "my neigh")


def _a_day_passes() -> None:
    """Whatever search keeps in Redis for a day or less is gone, as it would be a day later."""
    client = redis_client()
    for key in client.scan_iter("search:queries:*"):
        if 0 < client.ttl(key) <= 24 * 3600:
            client.delete(key)


def test_one_searcher_on_three_different_days_is_one_searcher_and_no_suggestion(api_client):
    for _ in range(3):
        query_log(q="Jane Doe Lives Where", searcher="a")
        queries_flush()
        _a_day_passes()

    assert SearchQuery.objects.get(query="jane doe lives where").count == 1
    assert ("query", "jane doe lives where", None) not in _suggest(api_client, "jane doe")


def test_a_query_is_suggested_once_enough_distinct_searchers_searched_it_on_any_days(api_client):
    for searcher in ("a", "b", "c"):
        query_log(q="street food tokyo", searcher=searcher)
        query_log(q="street food tokyo", searcher="a")
        queries_flush()
        _a_day_passes()

    assert SearchQuery.objects.get(query="street food tokyo").count == 3
    assert ("query", "street food tokyo", None) in _suggest(api_client, "street fo")


def test_flushing_adds_to_earlier_counts(api_client):
    query_log(q="kites", searcher="a")
    queries_flush()
    query_log(q="kites", searcher="b")
    query_log(q="kites", searcher="c")
    queries_flush()
    assert SearchQuery.objects.get(query="kites").count == 3
    assert queries_flush() == 0


def test_private_looking_queries_are_never_logged():
    query_log(q="someone@example.com", searcher="a")
    query_log(q="0612345678", searcher="a")
    queries_flush()
    assert not SearchQuery.objects.exists()


def test_a_misspelt_hashtag_is_suggested_by_trigrams(api_client):
    public_hashtag("photography", 40)
    assert ("hashtag", "photography", "/hashtag/photography") in _suggest(api_client, "photgraphy")


def test_blocked_and_suspended_accounts_are_not_suggested(client_for):
    viewer = UserFactory()
    Block.objects.create(blocker=viewer, blocked=UserFactory(username="zephyrblocked"))
    UserFactory(username="zephyrsuspended", suspended_at=timezone.now())
    UserFactory(username="zephyrshown")
    found = _suggest(client_for(viewer), "zephyr")
    assert [text for kind, text, _ in found if kind == "user"] == ["zephyrshown"]


@pytest.mark.parametrize("blocker", ["viewer", "creator"])
def test_sounds_of_a_creator_blocked_either_way_are_not_suggested(client_for, blocker):
    viewer, creator = UserFactory(), UserFactory(username="maestro")
    if blocker == "viewer":
        Block.objects.create(blocker=viewer, blocked=creator)
    else:
        Block.objects.create(blocker=creator, blocked=viewer)
    Sound.objects.create(title="Midnight Groove", creator=creator, kind="uploaded", use_count=5)
    Sound.objects.create(title="Midnight Drive", kind="uploaded", use_count=1)
    found = _suggest(client_for(viewer), "midn")
    assert [text for kind, text, _ in found if kind == "sound"] == ["Midnight Drive"]


@pytest.mark.parametrize("query", ["", "!!!", "'; drop", "🐱", "a:*|&"])
def test_odd_prefixes_answer_200(api_client, query):
    _suggest(api_client, query)


def test_an_overlong_prefix_is_400(api_client):
    response = api_client.get("/api/search/suggest", {"q": "x" * 2000})
    assert response.status_code == 400 and response.json()["error"] == "query_too_long"


def test_one_searcher_starts_counting_a_bounded_number_of_new_queries_a_day(settings) -> None:  # noqa: ANN001
    # Each query nobody searched before keeps a Redis key for 30 days: one address at the
    # anonymous rate made 864,000 a day. Queries others searched still count past the
    # allowance.
    settings.SEARCH_NEW_QUERIES_PER_SEARCHER_PER_DAY = 3
    query_log(q="kites over the bay", searcher="someone else")
    for n in range(5):
        query_log(q=f"junk words {chr(97 + n)}", searcher="address:10.1.2.3")
    query_log(q="kites over the bay", searcher="address:10.1.2.3")
    queries_flush()

    counts = dict(SearchQuery.objects.values_list("query", "count"))
    assert counts == {
        "junk words a": 1,
        "junk words b": 1,
        "junk words c": 1,
        "kites over the bay": 2,
    }


def test_a_turkish_capital_i_finds_the_hashtag_it_is_stored_as():
    # #İstanbul is stored as "istanbul"; the query's casefold gave "i̇stan" (i and a combining
    # dot), which no stored name starts with.
    from search.selectors import search_page, search_suggest
    from tests.factories import VideoFactory
    from videos.models import VideoStatus
    from videos.services.hashtags import video_hashtags_sync

    video = VideoFactory(caption="#İstanbul gezisi", status=VideoStatus.READY)
    assert video_hashtags_sync(video=video) == ["istanbul"]
    suggested = search_suggest(viewer=None, q="İstan")["suggestions"]
    assert [s["text"] for s in suggested if s["kind"] == "hashtag"] == ["istanbul"]
    found = search_page(viewer=None, q="#İstanbul", kind="hashtags", tag="", cursor=None, limit=10)
    assert [h["name"] for h in found["items"]][:1] == ["istanbul"]


def test_sound_titles_are_suggested_past_their_punctuation(api_client):  # noqa: ANN001
    # The typed text lost its punctuation and the stored titles kept theirs: "lo-fi b" and
    # "don't st" suggested nothing (nor did any "original sound - name" past the dash).
    beats = Sound.objects.create(title="Lo-fi Beats", use_count=3, kind="uploaded")
    song = Sound.objects.create(title="Don't Stop Me Now", use_count=2, kind="uploaded")
    assert ("sound", "Lo-fi Beats", f"/sound/{beats.pk}") in _suggest(api_client, "lo-fi b")
    assert ("sound", "Don't Stop Me Now", f"/sound/{song.pk}") in _suggest(api_client, "Don't st")
