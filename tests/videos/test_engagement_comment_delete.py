"""Deleting comments: who may, and the comment count afterwards."""

from __future__ import annotations

import pytest

from tests.factories import UserFactory
from tests.support.errors import assert_error_shape
from videos.models import Comment

pytestmark = pytest.mark.django_db


def post_comment(client, video, **data) -> dict:  # noqa: ANN001
    response = client.post(f"/api/videos/{video.pk}/comments", data, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def test_author_deletes_own_comment(client_for, video):
    client = client_for(UserFactory())
    comment = post_comment(client, video, body="oops")

    response = client.delete(f"/api/comments/{comment['id']}")

    assert response.status_code == 204
    assert not Comment.objects.exists()


def test_video_owner_deletes_anyones_comment(client_for, video, creator):
    comment = post_comment(client_for(UserFactory()), video, body="rude")

    response = client_for(creator).delete(f"/api/comments/{comment['id']}")

    assert response.status_code == 204


def test_other_user_cannot_delete_a_comment(client_for, video):
    comment = post_comment(client_for(UserFactory()), video, body="mine")

    response = client_for(UserFactory()).delete(f"/api/comments/{comment['id']}")

    assert_error_shape(response, 403)
    assert Comment.objects.filter(pk=comment["id"]).exists()


def test_anonymous_delete_is_401(client_for, video):
    comment = post_comment(client_for(UserFactory()), video, body="mine")

    response = client_for(None).delete(f"/api/comments/{comment['id']}")

    assert_error_shape(response, 401)


def test_delete_of_a_missing_comment_is_404(client_for):
    response = client_for(UserFactory()).delete("/api/comments/999999")

    assert_error_shape(response, 404)


def test_deleting_a_comment_decrements_comment_count(client_for, video):
    client = client_for(UserFactory())
    post_comment(client, video, body="stays")
    gone = post_comment(client, video, body="goes")

    client.delete(f"/api/comments/{gone['id']}")

    video.refresh_from_db()
    assert video.comment_count == 1


def test_deleting_a_comment_removes_its_replies_from_the_count(client_for, video):
    client = client_for(UserFactory())
    top = post_comment(client, video, body="top")
    for n in range(3):
        post_comment(client, video, body=f"reply {n}", parent_id=top["id"])

    client.delete(f"/api/comments/{top['id']}")

    video.refresh_from_db()
    assert video.comment_count == 0
    assert not Comment.objects.exists()


def test_deleting_a_reply_decrements_by_one(client_for, video):
    client = client_for(UserFactory())
    top = post_comment(client, video, body="top")
    reply = post_comment(client, video, body="reply", parent_id=top["id"])

    client.delete(f"/api/comments/{reply['id']}")

    video.refresh_from_db()
    assert video.comment_count == 1
