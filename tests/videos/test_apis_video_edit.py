"""PATCH /api/videos/<id> (caption, privacy) and DELETE /api/videos/<id>: only the owner; others
404 when they cannot see the video, 403 when they can."""

from __future__ import annotations

import pytest

from search.video_search import video_search
from tests.factories import BlockFactory, FollowFactory, UserFactory, VideoFactory
from tests.support.errors import assert_error_shape
from videos.models import Privacy, Video, VideoStatus
from videos.services.videos import MAX_CAPTION_CHARS

pytestmark = pytest.mark.django_db


def _patch(client, video, payload):  # noqa: ANN001, ANN202
    return client.patch(f"/api/videos/{video.pk}", payload, format="json")


def test_owner_edits_the_caption(client_for, video):
    response = _patch(client_for(video.owner), video, {"caption": "  a new caption #cats "})

    assert response.status_code == 200
    assert response.json()["caption"] == "a new caption #cats"
    video.refresh_from_db()
    assert video.caption == "a new caption #cats"


def test_owner_changes_the_privacy(client_for, video):
    response = _patch(client_for(video.owner), video, {"privacy": "followers"})

    assert response.status_code == 200
    assert response.json()["privacy"] == "followers"
    assert Video.objects.get(pk=video.pk).privacy == Privacy.FOLLOWERS


def test_a_caption_only_edit_keeps_the_privacy(client_for):
    video = VideoFactory(privacy=Privacy.PRIVATE)

    _patch(client_for(video.owner), video, {"caption": "still private"})

    assert Video.objects.get(pk=video.pk).privacy == Privacy.PRIVATE


def test_owner_edits_their_unready_video(client_for):
    video = VideoFactory(status=VideoStatus.PROCESSING)

    response = _patch(client_for(video.owner), video, {"caption": "while it processes"})

    assert response.status_code == 200
    assert Video.objects.get(pk=video.pk).caption == "while it processes"


def test_the_edited_caption_is_on_the_card_others_get(client_for, video):
    _patch(client_for(video.owner), video, {"caption": "fresh words"})

    card = client_for(UserFactory()).get(f"/api/users/{video.owner.username}/videos").json()
    assert card["results"][0]["caption"] == "fresh words"


def test_search_by_caption_finds_the_edited_words(
    client_for, video, settings, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):  # the edit announced on commit
        _patch(client_for(video.owner), video, {"caption": "zanzibarish marmalade"})

    # Full-text search (no embedder) reads the video's search document, rebuilt by the edit.
    settings.EMBEDDER_URL = "http://127.0.0.1:9"
    result = video_search(viewer=None, q="zanzibarish", tag="", cursor=None, limit=10)

    assert result["method"] == "text"
    assert [item["id"] for item in result["items"]] == [video.pk]


def test_another_user_who_sees_the_video_gets_403(client_for, video):
    response = _patch(client_for(UserFactory()), video, {"caption": "hijacked"})

    assert_error_shape(response, 403, "not_owner")
    assert Video.objects.get(pk=video.pk).caption == video.caption


def test_another_user_who_cannot_see_the_video_gets_404(client_for):
    video = VideoFactory(privacy=Privacy.PRIVATE)

    response = _patch(client_for(UserFactory()), video, {"caption": "hijacked"})

    assert_error_shape(response, 404)


def test_a_follower_of_a_followers_only_video_gets_403(client_for):
    video = VideoFactory(privacy=Privacy.FOLLOWERS)
    follower = UserFactory()
    FollowFactory(follower=follower, followee=video.owner)

    response = _patch(client_for(follower), video, {"privacy": "public"})

    assert_error_shape(response, 403, "not_owner")
    assert Video.objects.get(pk=video.pk).privacy == Privacy.FOLLOWERS


def test_a_blocked_user_gets_404(client_for, video):
    blocked = UserFactory()
    BlockFactory(blocker=video.owner, blocked=blocked)

    response = _patch(client_for(blocked), video, {"caption": "hijacked"})

    assert_error_shape(response, 404)


def test_anonymous_edit_is_401(client_for, video):
    response = _patch(client_for(None), video, {"caption": "hijacked"})

    assert_error_shape(response, 401)
    assert Video.objects.get(pk=video.pk).caption == video.caption


def test_a_caption_over_the_limit_is_400_with_the_field(client_for, video):
    response = _patch(client_for(video.owner), video, {"caption": "x" * (MAX_CAPTION_CHARS + 1)})

    body = assert_error_shape(response, 400)
    assert "caption" in body["fields"]
    assert Video.objects.get(pk=video.pk).caption == video.caption


def test_a_caption_with_a_nul_is_400(client_for, video):
    response = _patch(client_for(video.owner), video, {"caption": "bad\x00caption"})

    body = assert_error_shape(response, 400)
    assert "caption" in body["fields"]


def test_an_unknown_privacy_is_400(client_for, video):
    response = _patch(client_for(video.owner), video, {"privacy": "friends"})

    body = assert_error_shape(response, 400)
    assert "privacy" in body["fields"]
    assert Video.objects.get(pk=video.pk).privacy == Privacy.PUBLIC


def test_making_a_video_private_hides_it_from_others(client_for, video):
    _patch(client_for(video.owner), video, {"privacy": "private"})

    assert client_for(UserFactory()).get(f"/api/videos/{video.pk}").status_code == 404


def test_owner_deletes_the_video(client_for, video):
    response = client_for(video.owner).delete(f"/api/videos/{video.pk}")

    assert response.status_code == 204
    assert not Video.objects.filter(pk=video.pk).exists()


def test_another_user_who_sees_the_video_cannot_delete_it(client_for, video):
    response = client_for(UserFactory()).delete(f"/api/videos/{video.pk}")

    assert_error_shape(response, 403, "not_owner")
    assert Video.objects.filter(pk=video.pk).exists()


def test_delete_of_a_video_the_user_cannot_see_is_404(client_for):
    video = VideoFactory(privacy=Privacy.PRIVATE)

    response = client_for(UserFactory()).delete(f"/api/videos/{video.pk}")

    assert_error_shape(response, 404)
    assert Video.objects.filter(pk=video.pk).exists()


def test_anonymous_delete_is_401(client_for, video):
    response = client_for(None).delete(f"/api/videos/{video.pk}")

    assert_error_shape(response, 401)
    assert Video.objects.filter(pk=video.pk).exists()


@pytest.fixture
def published():  # noqa: ANN201
    """The video ids announced through `video_published`, in order."""
    from videos.events import video_published

    ids = []

    def receive(sender, *, video_id, **kwargs) -> None:  # noqa: ANN001, ANN003
        ids.append(video_id)

    video_published.connect(receive, dispatch_uid="test-video-edit-published")
    yield ids
    video_published.disconnect(dispatch_uid="test-video-edit-published")


@pytest.mark.django_db(transaction=True)
def test_making_a_ready_video_public_announces_it_after_commit(client_for, published):
    video = VideoFactory(privacy=Privacy.PRIVATE)

    _patch(client_for(video.owner), video, {"privacy": "public"})

    assert published == [video.pk]


@pytest.mark.django_db(transaction=True)
def test_a_caption_edit_or_narrowing_announces_nothing(client_for, published):
    video = VideoFactory()
    client = client_for(video.owner)

    _patch(client, video, {"caption": "new words"})
    _patch(client, video, {"privacy": "private"})

    assert published == []
