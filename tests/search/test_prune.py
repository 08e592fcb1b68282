"""search.prune: the typo dictionary and the past queries keep only what is still in use."""

from datetime import timedelta

import pytest
from django.utils import timezone

from search.documents import documents_refresh, search_words_prune
from search.models import SearchQuery, SearchWord
from search.tasks import prune_task
from tests.search.conftest import indexed_video
from videos.models import Video

pytestmark = pytest.mark.django_db


def test_words_of_a_deleted_account_leave_the_typo_dictionary_and_shared_words_stay():
    gone = indexed_video(caption="johnathan smithfieldson walks on elmwood")
    indexed_video(caption="a walk on elmwood in the Café")
    gone.owner.delete()
    assert SearchWord.objects.filter(word="smithfieldson").exists()

    prune_task()

    words = set(SearchWord.objects.values_list("word", flat=True))
    assert {"smithfieldson", "johnathan"}.isdisjoint(words)
    assert {"elmwood", "café", "walk"} <= words


def test_words_of_an_edited_caption_leave_the_dictionary_in_batches():
    video = indexed_video(caption="zanzibar sunsets")
    SearchWord.objects.bulk_create([SearchWord(word=f"orphan{i}") for i in range(25)])
    Video.objects.filter(pk=video.pk).update(caption="plain sunsets")
    documents_refresh(video_ids=[video.pk])

    assert search_words_prune(batch_size=4) == 26
    assert set(SearchWord.objects.values_list("word", flat=True)) == {"plain", "sunsets"}


def test_old_one_off_queries_are_deleted_and_suggested_or_recent_ones_kept(settings):
    settings.SEARCH_QUERY_RETAIN_DAYS = 30
    settings.SEARCH_SUGGEST_MIN_COUNT = 3
    now = timezone.now()
    for query, count, days in (
        ("my neighbour jane", 1, 31),
        ("easy pasta", 3, 400),
        ("last week's storm", 1, 2),
    ):
        SearchQuery.objects.create(
            query=query, count=count, last_searched_at=now - timedelta(days=days)
        )

    assert prune_task()["queries"] == 1

    assert set(SearchQuery.objects.values_list("query", flat=True)) == {
        "easy pasta",
        "last week's storm",
    }


def test_old_queries_go_even_when_the_words_pass_is_cut_by_its_time_limit(settings, monkeypatch):
    # The words pass of a large catalogue can run past the task's soft limit; the queries'
    # retention (names among them) came after it and was skipped, every day.
    from celery.exceptions import SoftTimeLimitExceeded

    import search.tasks

    settings.SEARCH_QUERY_RETAIN_DAYS = 30
    SearchQuery.objects.create(
        query="my neighbour jane", count=1, last_searched_at=timezone.now() - timedelta(days=31)
    )

    def cut(**kwargs) -> int:  # noqa: ANN003
        raise SoftTimeLimitExceeded()

    monkeypatch.setattr(search.tasks, "search_words_prune", cut)
    with pytest.raises(SoftTimeLimitExceeded):
        prune_task()
    assert not SearchQuery.objects.exists()
