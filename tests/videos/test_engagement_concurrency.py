"""Counters stay equal to their rows when many requests race (real threads, real Postgres)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection
from rest_framework.test import APIClient

from tests.factories import UserFactory, VideoFactory
from videos.models import Comment, Like, Video

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 8
USERS = 5


def race(work: Callable[[int], None], threads: int = THREADS) -> None:
    """Run work(index) on `threads` threads released at the same instant; re-raise failures."""
    barrier = threading.Barrier(threads)

    def run(index: int) -> None:
        try:
            barrier.wait(timeout=30)
            work(index)
        finally:
            connection.close()  # each thread has its own connection

    with ThreadPoolExecutor(max_workers=threads) as pool:
        for future in [pool.submit(run, index) for index in range(threads)]:
            future.result()


def client_as(user) -> APIClient:  # noqa: ANN001
    client = APIClient()
    client.force_authenticate(user=user)
    return client


def test_racing_likes_by_the_same_users_count_each_user_once():
    video = VideoFactory()
    users = UserFactory.create_batch(USERS)
    statuses: list[int] = []

    def like_as_every_user(index: int) -> None:
        for user in users[index % USERS :] + users[: index % USERS]:
            statuses.append(client_as(user).post(f"/api/videos/{video.pk}/like").status_code)

    race(like_as_every_user)

    video.refresh_from_db()
    assert set(statuses) == {200}
    assert Like.objects.filter(video=video).count() == USERS
    assert video.like_count == USERS


def test_racing_likes_by_different_users_lose_no_update():
    video = VideoFactory()
    users = UserFactory.create_batch(THREADS)

    race(lambda index: client_as(users[index]).post(f"/api/videos/{video.pk}/like"))

    video.refresh_from_db()
    assert video.like_count == THREADS == Like.objects.filter(video=video).count()


def test_racing_likes_and_unlikes_leave_counter_equal_to_rows():
    video = VideoFactory()
    users = UserFactory.create_batch(USERS)

    def toggle(index: int) -> None:
        for user in users:
            client = client_as(user)
            if (index + user.pk) % 2:
                client.post(f"/api/videos/{video.pk}/like")
            else:
                client.delete(f"/api/videos/{video.pk}/like")

    race(toggle)

    video.refresh_from_db()
    assert video.like_count == Like.objects.filter(video=video).count()


def test_racing_comments_are_all_counted():
    video = VideoFactory()
    users = UserFactory.create_batch(THREADS)

    race(
        lambda index: client_as(users[index]).post(
            f"/api/videos/{video.pk}/comments", {"body": f"first! {index}"}, format="json"
        )
    )

    video.refresh_from_db()
    assert video.comment_count == THREADS == Comment.objects.filter(video=video).count()


def test_reply_racing_its_parents_deletion_keeps_the_count_right():
    video = VideoFactory()
    owner_client = client_as(video.owner)
    parent = owner_client.post(
        f"/api/videos/{video.pk}/comments", {"body": "top"}, format="json"
    ).json()
    repliers = UserFactory.create_batch(THREADS - 1)

    def reply_or_delete(index: int) -> None:
        if index == 0:
            owner_client.delete(f"/api/comments/{parent['id']}")
        else:
            client_as(repliers[index - 1]).post(
                f"/api/videos/{video.pk}/comments",
                {"body": "reply", "parent_id": parent["id"]},
                format="json",
            )

    race(reply_or_delete)

    assert (
        Video.objects.get(pk=video.pk).comment_count == Comment.objects.filter(video=video).count()
    )
