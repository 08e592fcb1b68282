"""Comment likes: POST/DELETE /api/comments/<id>/like, the counter, who may like, and the
like_count / viewer_liked fields of comment JSON (read without a query per comment)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import BlockFactory, CommentFactory, UserFactory, VideoFactory
from tests.support.errors import assert_error_shape
from videos.models import Comment, CommentLike, Privacy

pytestmark = pytest.mark.django_db


@pytest.fixture
def comment(video):  # noqa: ANN001, ANN201
    return CommentFactory(video=video)


def _like(client, comment):  # noqa: ANN001, ANN202
    return client.post(f"/api/comments/{comment.pk}/like")


def test_like_returns_liked_and_count(client_for, comment):
    response = _like(client_for(UserFactory()), comment)

    assert response.status_code == 200
    assert response.json() == {"liked": True, "likes": 1}
    assert Comment.objects.get(pk=comment.pk).like_count == 1


def test_second_like_by_the_same_user_is_a_no_op(client_for, comment):
    client = client_for(UserFactory())
    _like(client, comment)

    response = _like(client, comment)

    assert response.json() == {"liked": True, "likes": 1}
    assert CommentLike.objects.filter(comment=comment).count() == 1


def test_likes_by_different_users_add_up(client_for, comment):
    for _ in range(3):
        _like(client_for(UserFactory()), comment)

    assert Comment.objects.get(pk=comment.pk).like_count == 3


def test_unlike_removes_the_like_and_decrements(client_for, comment):
    client = client_for(UserFactory())
    _like(client, comment)

    response = client.delete(f"/api/comments/{comment.pk}/like")

    assert response.json() == {"liked": False, "likes": 0}
    assert not CommentLike.objects.filter(comment=comment).exists()


def test_repeated_unlike_does_not_go_below_the_other_likes(client_for, comment):
    _like(client_for(UserFactory()), comment)
    client = client_for(UserFactory())
    _like(client, comment)
    client.delete(f"/api/comments/{comment.pk}/like")

    response = client.delete(f"/api/comments/{comment.pk}/like")

    assert response.json() == {"liked": False, "likes": 1}


def test_anonymous_like_is_401(client_for, comment):
    response = _like(client_for(None), comment)

    assert_error_shape(response, 401)
    assert not CommentLike.objects.exists()


def test_like_of_a_comment_on_a_video_the_viewer_cannot_see_is_404(client_for):
    comment = CommentFactory(video=VideoFactory(privacy=Privacy.PRIVATE))

    response = _like(client_for(UserFactory()), comment)

    assert_error_shape(response, 404)
    assert not CommentLike.objects.exists()


def test_like_of_a_missing_comment_is_404(client_for):
    response = client_for(UserFactory()).post("/api/comments/987654321/like")

    assert_error_shape(response, 404)


def test_like_of_a_comment_by_someone_who_blocked_the_viewer_is_404(client_for, comment):
    viewer = UserFactory()
    BlockFactory(blocker=comment.author, blocked=viewer)

    response = _like(client_for(viewer), comment)

    assert_error_shape(response, 404)


def test_like_of_a_reply_in_a_thread_the_viewer_blocked_is_404(client_for, video):
    viewer = UserFactory()
    parent = CommentFactory(video=video)
    reply = CommentFactory(video=video, parent=parent)
    BlockFactory(blocker=viewer, blocked=parent.author)

    response = _like(client_for(viewer), reply)

    assert_error_shape(response, 404)


def test_like_of_a_comment_on_a_blocked_creators_video_is_404(client_for, comment):
    viewer = UserFactory()
    BlockFactory(blocker=viewer, blocked=comment.video.owner)

    response = _like(client_for(viewer), comment)

    assert_error_shape(response, 404)


def test_comment_json_has_the_count_and_the_viewers_like(client_for, video):
    liked, other = CommentFactory(video=video), CommentFactory(video=video)
    viewer = UserFactory()
    _like(client_for(viewer), liked)
    _like(client_for(UserFactory()), other)

    results = client_for(viewer).get(f"/api/videos/{video.pk}/comments").json()["results"]

    by_id = {item["id"]: item for item in results}
    assert (by_id[liked.pk]["like_count"], by_id[liked.pk]["viewer_liked"]) == (1, True)
    assert (by_id[other.pk]["like_count"], by_id[other.pk]["viewer_liked"]) == (1, False)


def test_reply_previews_carry_the_viewers_like(client_for, video):
    parent = CommentFactory(video=video)
    reply = CommentFactory(video=video, parent=parent)
    viewer = UserFactory()
    _like(client_for(viewer), reply)

    results = client_for(viewer).get(f"/api/videos/{video.pk}/comments").json()["results"]

    (preview,) = results[0]["replies"]
    assert (preview["like_count"], preview["viewer_liked"]) == (1, True)


def test_anonymous_viewers_see_counts_and_no_likes(client_for, comment):
    _like(client_for(UserFactory()), comment)

    (item,) = client_for(None).get(f"/api/videos/{comment.video_id}/comments").json()["results"]

    assert (item["like_count"], item["viewer_liked"]) == (1, False)


def _page_queries(client, video) -> int:  # noqa: ANN001
    with CaptureQueriesContext(connection) as queries:
        assert client.get(f"/api/videos/{video.pk}/comments").status_code == 200
    return len(queries)


def test_a_page_of_comments_costs_the_same_queries_however_many_are_liked(client_for, video):
    viewer = UserFactory()
    client = client_for(viewer)
    first = CommentFactory(video=video)
    CommentFactory(video=video, parent=first)
    _like(client, first)
    few = _page_queries(client, video)
    for _ in range(5):
        top = CommentFactory(video=video)
        reply = CommentFactory(video=video, parent=top)
        _like(client, top)
        _like(client, reply)

    many = _page_queries(client, video)

    assert many == few


def test_a_reply_under_a_hidden_comment_cannot_be_liked_or_reported(client_for, video):
    from django.utils import timezone

    from tests.factories import UserFactory
    from videos.models import Comment
    from videos.services.engagement import comment_create

    author, replier, stranger = UserFactory(), UserFactory(), UserFactory()
    top = comment_create(author=author, video=video, body="reported one")
    reply = comment_create(author=replier, video=video, body="a reply", parent_id=top.pk)
    Comment.objects.filter(pk=top.pk).update(hidden_at=timezone.now())

    liked = client_for(stranger).post(f"/api/comments/{reply.pk}/like")
    reported = client_for(stranger).post(
        "/api/reports", {"kind": "comment", "id": reply.pk, "reason": "spam"}, format="json"
    )

    assert liked.status_code == 404 and reported.status_code == 404
    assert client_for(author).post(f"/api/comments/{reply.pk}/like").status_code == 200
