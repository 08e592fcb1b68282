"""A comment's like counter stays equal to its like rows when likes race (real threads)."""

from __future__ import annotations

import random

import pytest

from tests.factories import CommentFactory, UserFactory
from tests.videos.test_engagement_concurrency import THREADS, USERS, client_as, race
from videos.models import Comment, CommentLike

pytestmark = pytest.mark.django_db(transaction=True)


def test_racing_likes_by_the_same_users_count_each_user_once():
    comment = CommentFactory()
    users = UserFactory.create_batch(USERS)
    statuses: list[int] = []

    def like_as_every_user(index: int) -> None:
        for user in users[index % USERS :] + users[: index % USERS]:
            statuses.append(client_as(user).post(f"/api/comments/{comment.pk}/like").status_code)

    race(like_as_every_user)

    comment.refresh_from_db()
    assert set(statuses) == {200}
    assert CommentLike.objects.filter(comment=comment).count() == USERS
    assert comment.like_count == USERS


def test_racing_likes_and_unlikes_leave_the_counter_equal_to_the_rows():
    comment = CommentFactory()
    users = UserFactory.create_batch(USERS)

    def toggle(index: int) -> None:
        rng = random.Random(index)
        for _ in range(6):
            client = client_as(rng.choice(users))
            if rng.random() < 0.5:
                client.post(f"/api/comments/{comment.pk}/like")
            else:
                client.delete(f"/api/comments/{comment.pk}/like")

    race(toggle, threads=THREADS)

    assert Comment.objects.get(pk=comment.pk).like_count == (
        CommentLike.objects.filter(comment=comment).count()
    )
