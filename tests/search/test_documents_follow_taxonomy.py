"""Search follows the taxonomy: a video's document holds its active tags' names, so renaming,
deactivating or deleting a tag in the admin, or re-tagging the corpus, rebuilds the documents of
the videos concerned (they kept matching the old name for good)."""

from __future__ import annotations

import pytest
from django.test import Client

from tagging.services.taxonomy import tags_set_active
from tests.factories import TagFactory, UserFactory, VideoTagFactory
from tests.search.conftest import ids, indexed_video

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_embedder")]


def _found(client, q: str) -> list[int]:  # noqa: ANN001
    response = client.get("/api/search", {"q": q, "type": "videos"})
    assert response.status_code == 200, response.content
    return ids(response.json()["videos"])


@pytest.fixture
def admin() -> Client:
    client = Client()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def _tagged(tag_name: str):  # noqa: ANN202
    tag = TagFactory(slug="felines", name=tag_name)
    video = VideoTagFactory(tag=tag, video=indexed_video(caption="sunday afternoon")).video
    from search.documents import documents_refresh

    documents_refresh(video_ids=[video.pk])
    return tag, video


def test_a_tag_renamed_in_the_admin_is_searched_by_its_new_name(
    admin, api_client, celery_eager, django_capture_on_commit_callbacks
) -> None:  # noqa: ANN001
    tag, video = _tagged("Felines")
    assert _found(api_client, "felines") == [video.pk]
    form = {
        "slug": "felines",
        "name": "Housecats",
        "category": "",
        "description": "",
        "is_active": "on",
        "phrases-TOTAL_FORMS": "0",
        "phrases-INITIAL_FORMS": "0",
        "phrases-MIN_NUM_FORMS": "0",
        "phrases-MAX_NUM_FORMS": "1000",
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(f"/admin/tagging/tag/{tag.pk}/change/", form)
    assert response.status_code == 302, response.content[:2000]
    assert _found(api_client, "housecats") == [video.pk]
    assert _found(api_client, "felines") == []


def test_a_deactivated_or_deleted_tag_no_longer_finds_its_videos(
    admin, api_client, celery_eager, django_capture_on_commit_callbacks
) -> None:  # noqa: ANN001
    tag, video = _tagged("Felines")
    with django_capture_on_commit_callbacks(execute=True):
        tags_set_active(tags=[tag], is_active=False)
    assert _found(api_client, "felines") == []
    with django_capture_on_commit_callbacks(execute=True):
        tags_set_active(tags=[tag], is_active=True)
    assert _found(api_client, "felines") == [video.pk]
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(f"/admin/tagging/tag/{tag.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert _found(api_client, "felines") == []


def test_a_taxonomy_file_that_renames_or_retires_a_tag_reaches_search(
    tmp_path, api_client, celery_eager, django_capture_on_commit_callbacks
) -> None:  # noqa: ANN001
    from io import StringIO

    from django.core.management import call_command

    def load(text: str, *flags: str) -> None:
        path = tmp_path / "tags.yaml"
        path.write_text(text)
        with django_capture_on_commit_callbacks(execute=True):
            call_command("load_taxonomy", str(path), *flags, stdout=StringIO())

    _, video = _tagged("Felines")
    load("tags:\n  - slug: felines\n    name: Housecats\n    phrases: [cat]\n")
    assert _found(api_client, "housecats") == [video.pk]
    assert _found(api_client, "felines") == []

    load("tags:\n  - slug: dogs\n    phrases: [dog]\n", "--deactivate-missing")
    assert _found(api_client, "housecats") == []

    load("tags:\n  - slug: felines\n    name: Housecats\n    active: true\n    phrases: [cat]\n")
    assert _found(api_client, "housecats") == [video.pk]
