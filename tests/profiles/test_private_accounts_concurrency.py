"""A follow racing its target's change of privacy: one outcome, no deadlock."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest
from django.db import connections

from profiles.models import Follow, FollowRequest
from profiles.services import graph
from tests.factories import UserFactory
from tests.support.concurrency import lock_waiters

pytestmark = pytest.mark.django_db(transaction=True)


def test_following_again_while_the_account_goes_public_neither_deadlocks_nor_doubles(
    monkeypatch,  # noqa: ANN001
):
    # Going public holds the owner's row and inserts the requester's follow (which takes a
    # key-share lock on the requester's row); the requester pressing Follow again locks their
    # own row, then the owner's. Locked FOR UPDATE, each waited on the other: a deadlock.
    requester, owner = UserFactory(), UserFactory(is_private=True)
    assert requester.pk < owner.pk
    FollowRequest.objects.create(requester=requester, target=owner)
    real_insert = graph._follow_insert
    owner_locked, follow_waiting = threading.Event(), threading.Event()
    errors: dict[str, Exception] = {}

    def insert_when_the_follow_waits(**kwargs):  # noqa: ANN003, ANN202
        owner_locked.set()
        follow_waiting.wait(20)
        return real_insert(**kwargs)

    def run(name: str, work: Callable[[], object]) -> None:
        try:
            work()
        except Exception as exc:  # noqa: BLE001 - reported below
            errors[name] = exc
        finally:
            connections.close_all()

    monkeypatch.setattr(graph, "_follow_insert", insert_when_the_follow_waits)
    going_public = threading.Thread(
        target=run, args=("public", lambda: graph.account_privacy_set(user=owner, private=False))
    )
    going_public.start()
    assert owner_locked.wait(20)
    monkeypatch.setattr(graph, "_follow_insert", real_insert)
    following = threading.Thread(
        target=run, args=("follow", lambda: graph.follow_create(follower=requester, followee=owner))
    )
    following.start()
    for _ in range(200):  # until the follow waits for the owner's row
        if lock_waiters():
            break
        time.sleep(0.05)
    follow_waiting.set()
    going_public.join(30)
    following.join(30)
    assert errors == {}
    assert Follow.objects.filter(follower=requester, followee=owner).count() == 1
    assert not FollowRequest.objects.exists()
