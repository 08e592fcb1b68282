"""Counters stay equal to their rows when many requests race (real threads, real Postgres)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from rest_framework.test import APIClient

from tests.factories import UserFactory, VideoFactory
from tests.support.concurrency import lock_waiters, thread_start
from videos.models import Comment, Like, Video
from videos.services.engagement import comment_create, comment_remove

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


def _until_lock_waiters(count: int) -> None:
    for _ in range(400):
        if lock_waiters() >= count:
            return
        time.sleep(0.05)
    raise AssertionError(f"never saw {count} sessions waiting on a lock")


def _start_holding(
    errors: dict[str, BaseException], name: str, work: Callable[[], object]
) -> tuple[threading.Thread, threading.Event]:
    """Run work in a transaction on a thread and keep it open (its locks held) until the
    returned event is set; returns once work is done."""
    done, commit = threading.Event(), threading.Event()

    def hold() -> None:
        with transaction.atomic():
            work()
            done.set()
            assert commit.wait(30)

    thread = thread_start(errors, name, hold)
    assert done.wait(30)
    return thread, commit


def test_deleting_a_reply_and_its_parent_at_once_keeps_the_count_right():
    # The reply's deletion is not committed yet when the parent's deletion counts its replies:
    # counted there and subtracted by its own deletion, it came off the count twice.
    video = VideoFactory()
    comment_create(author=UserFactory(), video=video, body="another thread")
    top = comment_create(author=UserFactory(), video=video, body="top")
    reply = comment_create(author=UserFactory(), video=video, body="reply", parent_id=top.pk)
    errors: dict[str, BaseException] = {}

    replying, commit_the_reply = _start_holding(
        errors, "reply", lambda: comment_remove(comment=Comment.objects.get(pk=reply.pk))
    )
    parent = thread_start(
        errors, "parent", lambda: comment_remove(comment=Comment.objects.get(pk=top.pk))
    )
    _until_lock_waiters(1)  # the parent's deletion waits for the reply's row
    commit_the_reply.set()
    replying.join(30)
    parent.join(30)

    assert errors == {}
    assert Comment.objects.filter(video=video).count() == 1
    assert Video.objects.get(pk=video.pk).comment_count == 1


def test_reply_to_a_reply_while_the_thread_is_deleted_does_not_deadlock():
    # The reply to a reply waits for the top-level comment behind the thread's deletion. It used
    # to hold the reply it answers meanwhile, which the deletion's cascade then waited for.
    video = VideoFactory()
    top = comment_create(author=UserFactory(), video=video, body="top")
    reply = comment_create(author=UserFactory(), video=video, body="reply", parent_id=top.pk)
    replier = UserFactory()
    errors: dict[str, BaseException] = {}

    holder, release = _start_holding(
        errors, "holder", lambda: Comment.objects.select_for_update().get(pk=top.pk)
    )
    deleting = thread_start(
        errors, "delete", lambda: comment_remove(comment=Comment.objects.get(pk=top.pk))
    )
    _until_lock_waiters(1)  # the deletion waits first in line for the top-level comment
    replying = thread_start(
        errors,
        "reply",
        lambda: comment_create(author=replier, video=video, body="re", parent_id=reply.pk),
    )
    _until_lock_waiters(2)
    release.set()
    for thread in (holder, deleting, replying):
        thread.join(30)

    # The thread went first, so the reply finds nothing left to answer.
    assert set(errors) <= {"reply"}
    assert isinstance(errors.get("reply", ValidationError("")), ValidationError)
    assert (
        Video.objects.get(pk=video.pk).comment_count == Comment.objects.filter(video=video).count()
    )
    assert not Comment.objects.filter(pk=top.pk).exists()
