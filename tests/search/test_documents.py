"""Each video's search document: built on publish, rebuilt on caption edits, backfilled."""

import pytest
from django.test import Client

from search.documents import documents_backfill
from search.models import VideoDocument
from search.selectors import search_page
from tests.factories import TagFactory, UserFactory, VideoFactory, VideoTagFactory
from tests.search.conftest import ids, indexed_video
from videos.events import video_published_announce
from videos.services.video_edit import video_update

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_embedder")]


def _videos(q: str) -> list[int]:
    return ids(search_page(viewer=None, q=q, kind="videos", tag="", cursor=None, limit=20))


def test_a_published_video_is_found_by_caption_transcript_and_tag_names():
    video = VideoFactory(caption="sunset over the harbour", transcript="gulls and ferries")
    VideoTagFactory(video=video, tag=TagFactory(slug="seaside-life", name="Seaside Life"))
    assert _videos("harbour") == []

    video_published_announce(video_id=video.pk)

    assert _videos("harbour") == [video.pk]
    assert _videos("ferries") == [video.pk]
    assert _videos("seaside") == [video.pk]


def test_a_caption_edit_rebuilds_the_document(django_capture_on_commit_callbacks):
    video = indexed_video(caption="old words about pottery")
    with django_capture_on_commit_callbacks(execute=True):
        video_update(video=video, actor=video.owner, caption="new words about knitting")

    assert _videos("knitting") == [video.pk]
    assert _videos("pottery") == []


def _admin_change_form_data(page) -> dict:  # noqa: ANN001
    """The admin change form's fields and inline management forms as the page filled them."""
    form = page.context["adminform"].form
    data = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if value is not None:
            data[name] = getattr(value, "pk", value)
    for inline in page.context["inline_admin_formsets"]:
        formset = inline.formset
        management = formset.management_form.initial
        for key in ("TOTAL_FORMS", "INITIAL_FORMS", "MIN_NUM_FORMS", "MAX_NUM_FORMS"):
            data[f"{formset.prefix}-{key}"] = management.get(key, 0)
        for i, row in enumerate(formset.forms):
            for name in row.fields:
                if (value := row.initial.get(name)) is not None:
                    data[f"{formset.prefix}-{i}-{name}"] = getattr(value, "pk", value)
    return data


def test_a_caption_edit_in_the_admin_rebuilds_the_document(django_capture_on_commit_callbacks):
    video = indexed_video(caption="call me about pottery")
    client = Client()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    url = f"/admin/videos/video/{video.pk}/change/"
    data = {**_admin_change_form_data(client.get(url)), "caption": "a quiet sunset"}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, data)

    assert response.status_code == 302
    assert _videos("sunset") == [video.pk]
    assert _videos("pottery") == []


def test_hashtags_are_in_the_document():
    video = indexed_video(caption="my morning", hashtags=("latteart",))
    assert _videos("latteart") == [video.pk]


def test_a_caption_match_ranks_above_a_transcript_match():
    spoken = indexed_video(caption="a quiet afternoon", transcript="we talk about volcanoes")
    written = indexed_video(caption="volcanoes of iceland", transcript="nothing much")
    assert _videos("volcanoes") == [written.pk, spoken.pk]


def test_english_stems_match_plurals_and_simple_keeps_other_languages():
    cats = indexed_video(caption="two cats sleeping")
    french = indexed_video(caption="les chatons dorment")
    assert _videos("cat") == [cats.pk]
    assert _videos("chatons") == [french.pk]


def test_accents_fold_both_ways_and_decomposed_or_full_width_captions_are_words():
    import unicodedata

    cafe = indexed_video(caption="Best Café in Málaga")
    naive = indexed_video(caption="a naive question about creme brulee")
    decomposed = indexed_video(caption=unicodedata.normalize("NFD", "Crêpes à Montréal"))
    wide = indexed_video(caption="ｃｏｆｆｅｅ ａｒｔ")  # as a CJK keyboard types Latin

    assert _videos("cafe malaga") == [cafe.pk]
    assert _videos("Café") == [cafe.pk]
    assert _videos("naïve crème brûlée") == [naive.pk]
    assert _videos("crepes montreal") == [decomposed.pk]
    assert _videos("crêpes") == [decomposed.pk]
    assert _videos("coffee art") == [wide.pk]


def test_chinese_japanese_and_korean_words_are_found_inside_unspaced_runs():
    # PostgreSQL keeps an unspaced run as one word: "動画" found nothing in "猫の動画です".
    japanese = indexed_video(caption="猫の動画です #かわいい")
    chinese = indexed_video(caption="可爱的猫咪视频")
    korean = indexed_video(caption="고양이가 좋아요")
    other = indexed_video(caption="动物园的熊猫 视频")

    assert _videos("動画") == [japanese.pk]
    assert _videos("猫の動画") == [japanese.pk]
    assert _videos("猫咪") == [chinese.pk]
    assert _videos("고양이") == [korean.pk]
    assert _videos("かわいい") == [japanese.pk]  # a hashtag's run too
    assert set(_videos("猫")) == {japanese.pk, chinese.pk, other.pk}  # one character: 熊猫 too
    assert set(_videos("视频")) == {chinese.pk, other.pk}
    assert _videos("视频 -熊猫") == [chinese.pk]
    assert _videos('"猫咪视频"') == [chinese.pk]
    assert _videos("猫视频") == []  # not in that order anywhere
    assert _videos("動物") == []


def test_an_excluded_chinese_japanese_or_korean_run_is_excluded_by_every_path():
    keep = indexed_video(caption="kitten video")
    indexed_video(caption="kitten 可愛い猫の動画です")
    # The typo path finds "kitten" in both: only the pairs of the run tell them apart.
    assert _videos("kitten -猫の動画") == [keep.pk]
    assert _videos("kiten -猫の動画") == [keep.pk]


def test_backfill_builds_every_missing_document():
    videos = [VideoFactory(caption=f"backfilled clip {n}") for n in range(5)]
    assert not VideoDocument.objects.filter(video__in=videos).exists()

    assert documents_backfill(batch_size=2) == 5

    assert VideoDocument.objects.filter(video__in=videos).count() == 5
    assert len(_videos("backfilled")) == 5
