"""Taxonomy curation in the Django admin."""

from __future__ import annotations

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.test import Client

from tagging import admin as tagging_admin
from tagging.events import video_tags_changed
from tagging.models import Tag, TagEmbedding, VideoTag
from tests.factories import (
    TEST_EMBEDDING_VERSION,
    TagFactory,
    TagPhraseFactory,
    UserFactory,
    VideoEmbeddingFactory,
    VideoTagFactory,
)
from tests.support.admin_forms import staff_client
from tests.tagging.factories import axis

pytestmark = pytest.mark.django_db
CHANGELIST = "/admin/tagging/tag/"


@pytest.fixture
def admin_client_() -> Client:
    client = Client()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_changelist_shows_video_counts_and_searches_phrases(admin_client_) -> None:  # noqa: ANN001
    cats = TagFactory(slug="cats")
    TagPhraseFactory(tag=cats, text="kitten")
    TagFactory(slug="dogs")
    VideoTagFactory(tag=cats)
    VideoTagFactory(tag=cats)

    page = admin_client_.get(CHANGELIST, {"q": "kitten"})

    assert page.status_code == 200
    rows = page.context["cl"].result_list
    assert [(tag.slug, tag.video_count) for tag in rows] == [("cats", 2)]


def test_bulk_deactivate_and_activate(admin_client_) -> None:  # noqa: ANN001
    tags = [TagFactory(slug="a"), TagFactory(slug="b")]
    ids = [str(tag.pk) for tag in tags]
    admin_client_.post(CHANGELIST, {"action": "deactivate_tags", ACTION_CHECKBOX_NAME: ids})
    assert not Tag.objects.filter(is_active=True).exists()
    admin_client_.post(CHANGELIST, {"action": "activate_tags", ACTION_CHECKBOX_NAME: ids[:1]})
    assert list(Tag.objects.filter(is_active=True).values_list("slug", flat=True)) == ["a"]


def test_retag_all_action_needs_no_selection_and_retags_in_the_background(
    admin_client_,
    geometry,
    celery_eager,
    django_capture_on_commit_callbacks,  # noqa: ANN001
) -> None:
    embedding = VideoEmbeddingFactory(embedding=axis(1))
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client_.post(CHANGELIST, {"action": "retag_all_videos"})
    assert response.status_code == 302
    tagged = VideoTag.objects.filter(video=embedding.video).values_list("tag__slug", flat=True)
    assert list(tagged) == ["dogs"]


def test_staff_who_may_only_view_tags_cannot_deactivate_them() -> None:
    tag = TagFactory(slug="cats")
    viewer = staff_client("tagging.view_tag")

    viewer.post(CHANGELIST, {"action": "deactivate_tags", ACTION_CHECKBOX_NAME: [tag.pk]})

    assert Tag.objects.get(pk=tag.pk).is_active


def test_staff_who_may_only_view_tags_cannot_retag_the_corpus(
    monkeypatch,  # noqa: ANN001
    django_capture_on_commit_callbacks,  # noqa: ANN001
) -> None:
    TagFactory(slug="cats")
    queued: list[bool] = []
    monkeypatch.setattr(tagging_admin, "_enqueue_retag", lambda: queued.append(True))

    with django_capture_on_commit_callbacks(execute=True):
        staff_client("tagging.view_tag").post(CHANGELIST, {"action": "retag_all_videos"})

    assert queued == []


def test_editing_phrases_recomputes_the_tag_vector_after_the_save(
    admin_client_,
    embedder,
    celery_eager,
    django_capture_on_commit_callbacks,
    settings,  # noqa: ANN001
) -> None:
    settings.ACTIVE_EMBEDDING_VERSION = ""
    tag = TagFactory(slug="cats", name="Cats")
    phrase = TagPhraseFactory(tag=tag, text="cat")
    form = {
        "slug": "cats",
        "name": "Cats",
        "category": "",
        "description": "",
        "is_active": "on",
        "phrases-TOTAL_FORMS": "3",
        "phrases-INITIAL_FORMS": "1",
        "phrases-MIN_NUM_FORMS": "0",
        "phrases-MAX_NUM_FORMS": "1000",
        "phrases-0-id": str(phrase.pk),
        "phrases-0-tag": str(tag.pk),
        "phrases-0-text": "cat",
        "phrases-1-tag": str(tag.pk),
        "phrases-1-text": "kitten",
        "phrases-2-tag": str(tag.pk),
        "phrases-2-text": "",
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client_.post(f"{CHANGELIST}{tag.pk}/change/", form)
    assert response.status_code == 302, response.content[:2000]

    vector = TagEmbedding.objects.get(tag=tag)
    assert vector.phrase_count == 2
    assert vector.embedding_version != TEST_EMBEDDING_VERSION
    assert len(vector.embedding) == 384


def test_video_tags_are_not_added_or_edited_in_the_admin(admin_client_) -> None:  # noqa: ANN001
    row = VideoTagFactory(score=0.5)
    url = f"/admin/tagging/videotag/{row.pk}/change/"

    assert admin_client_.get("/admin/tagging/videotag/add/").status_code == 403
    admin_client_.post(url, {"video": row.video_id, "tag": row.tag_id, "score": 9})

    assert VideoTag.objects.get(pk=row.pk).score == 0.5
    assert admin_client_.get(url).status_code == 200  # still shown


def _announced_videos(capture, action) -> list[int]:  # noqa: ANN001
    heard: list[int] = []

    def receiver(sender, *, video_ids, **kwargs) -> None:  # noqa: ANN001, ANN003, ARG001
        heard.extend(video_ids)

    video_tags_changed.connect(receiver, dispatch_uid="tests.tagging.admin.heard")
    try:
        with capture(execute=True):
            action()
    finally:
        video_tags_changed.disconnect(dispatch_uid="tests.tagging.admin.heard")
    return heard


def test_deleting_a_video_tag_in_the_admin_announces_its_video(
    admin_client_,  # noqa: ANN001
    django_capture_on_commit_callbacks,  # noqa: ANN001
) -> None:
    row = VideoTagFactory()

    heard = _announced_videos(
        django_capture_on_commit_callbacks,
        lambda: admin_client_.post(f"/admin/tagging/videotag/{row.pk}/delete/", {"post": "yes"}),
    )

    assert not VideoTag.objects.filter(pk=row.pk).exists()
    assert heard == [row.video_id]


def test_deleting_video_tags_in_bulk_in_the_admin_announces_their_videos(
    admin_client_,  # noqa: ANN001
    django_capture_on_commit_callbacks,  # noqa: ANN001
) -> None:
    rows = [VideoTagFactory(), VideoTagFactory()]

    heard = _announced_videos(
        django_capture_on_commit_callbacks,
        lambda: admin_client_.post(
            "/admin/tagging/videotag/",
            {
                "action": "delete_selected",
                ACTION_CHECKBOX_NAME: [row.pk for row in rows],
                "post": "yes",
            },
        ),
    )

    assert sorted(heard) == sorted(row.video_id for row in rows)


def test_a_phrase_is_used_once_across_the_taxonomy_in_any_case(admin_client_) -> None:  # noqa: ANN001
    dogs = TagFactory(slug="dogs", name="Dogs")
    TagPhraseFactory(tag=dogs, text="Puppy")
    tag = TagFactory(slug="cats", name="Cats")
    phrase = TagPhraseFactory(tag=tag, text="cat")

    def post(*texts: str):  # noqa: ANN202
        form = {
            "slug": "cats",
            "name": "Cats",
            "category": "",
            "description": "",
            "is_active": "on",
            "phrases-TOTAL_FORMS": str(1 + len(texts)),
            "phrases-INITIAL_FORMS": "1",
            "phrases-MIN_NUM_FORMS": "0",
            "phrases-MAX_NUM_FORMS": "1000",
            "phrases-0-id": str(phrase.pk),
            "phrases-0-tag": str(tag.pk),
            "phrases-0-text": "cat",
        }
        for n, text in enumerate(texts, start=1):
            form[f"phrases-{n}-tag"] = str(tag.pk)
            form[f"phrases-{n}-text"] = text
        return admin_client_.post(f"{CHANGELIST}{tag.pk}/change/", form)

    same_tag = post("Cat")
    assert same_tag.status_code == 200
    assert "is already a phrase of this tag" in same_tag.content.decode()
    other_tag = post("puppy")
    assert other_tag.status_code == 200
    assert "is already a phrase of tag &#x27;dogs&#x27;" in other_tag.content.decode()
    assert sorted(tag.phrases.values_list("text", flat=True)) == ["cat"]

    assert post("  cute   kitten ").status_code == 302
    assert sorted(tag.phrases.values_list("text", flat=True)) == ["cat", "cute kitten"]
