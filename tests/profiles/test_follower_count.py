"""User.follower_count (kept by triggers, migrations/0008_follower_count.py) equals the number of
active accounts following, whichever path wrote the follows: the services, a block, a follow
request's approval, the cascade of an account's deletion, a bulk insert, a suspension and its
reinstatement; and a follow racing its follower's suspension is counted once or not at all."""

from __future__ import annotations

import threading

import pytest
from django.db import transaction

from profiles.models import Follow, User
from profiles.selectors import follower_count
from profiles.services.account_deletion import account_erase
from profiles.services.graph import (
    block_create,
    follow_create,
    follow_delete,
    follow_request_approve,
    follower_counts_recount,
    follower_remove,
)
from profiles.services.suspension import user_reinstate, user_suspend
from tests.factories import FollowFactory, UserFactory
from tests.support.concurrency import thread_start, until_another_waits


def _stored(user: User) -> int:
    return User.objects.values_list("follower_count", flat=True).get(pk=user.pk)


def _counted(user: User) -> int:
    return Follow.objects.filter(followee=user, follower__is_active=True).count()


@pytest.mark.django_db
def test_every_path_that_writes_follows_keeps_the_count():
    creator = UserFactory()
    fans = [UserFactory() for _ in range(4)]
    assert follow_create(follower=fans[0], followee=creator).followers == 1
    follow_create(follower=fans[0], followee=creator)  # twice is once
    assert follow_create(follower=fans[1], followee=creator).followers == 2
    Follow.objects.bulk_create([Follow(follower=fans[2], followee=creator)])
    assert _stored(creator) == 3
    assert follow_delete(follower=fans[1], followee=creator).followers == 2
    assert follow_delete(follower=fans[1], followee=creator).followers == 2  # not following
    assert follower_remove(user=creator, follower=fans[2]) == 1
    block_create(blocker=creator, blocked=fans[0])
    assert _stored(creator) == 0
    assert _stored(creator) == _counted(creator) == follower_count(creator)
    # never below zero, whatever a repair did to the stored number
    FollowFactory(follower=fans[3], followee=creator)
    User.objects.filter(pk=creator.pk).update(follower_count=0)
    Follow.objects.filter(followee=creator).delete()
    assert _stored(creator) == 0


@pytest.mark.django_db
def test_an_approved_request_counts_and_a_pending_one_does_not():
    private = UserFactory(is_private=True)
    fan = UserFactory()
    assert follow_create(follower=fan, followee=private).requested
    assert _stored(private) == 0
    follow_request_approve(target=private, requester=fan)
    assert _stored(private) == 1


@pytest.mark.django_db
def test_a_suspended_follower_stops_counting_until_reinstated():
    creators = [UserFactory() for _ in range(3)]
    fan, other = UserFactory(), UserFactory()
    for creator in creators:
        FollowFactory(follower=fan, followee=creator)
    FollowFactory(follower=other, followee=creators[0])
    assert [_stored(c) for c in creators] == [2, 1, 1]
    user_suspend(user=fan)
    assert [_stored(c) for c in creators] == [1, 0, 0]
    assert [follower_count(c) for c in creators] == [_counted(c) for c in creators]
    user_suspend(user=fan)  # already suspended: nothing moves twice
    assert [_stored(c) for c in creators] == [1, 0, 0]
    # a follow row written for a suspended account (an admin, a backfill) does not count
    FollowFactory(follower=fan, followee=other)
    assert _stored(other) == 0
    user_reinstate(user=fan)
    assert [_stored(c) for c in creators] == [2, 1, 1]
    assert _stored(other) == 1


@pytest.mark.django_db
def test_a_deleted_account_leaves_the_counts_of_those_it_followed():
    creator, fan, fan_of_fan = UserFactory(), UserFactory(), UserFactory()
    FollowFactory(follower=fan, followee=creator)
    FollowFactory(follower=fan_of_fan, followee=fan)
    FollowFactory(follower=creator, followee=fan)
    account_erase(user=fan)
    assert _stored(creator) == 0
    assert _stored(fan_of_fan) == 0


@pytest.mark.django_db(transaction=True)
def test_a_follow_written_while_its_follower_is_suspended_is_counted_once_or_not_at_all():
    creator, fan = UserFactory(), UserFactory()
    lower = UserFactory()  # followed already: the suspension locks it too
    FollowFactory(follower=fan, followee=lower)
    locked, suspended = threading.Event(), threading.Event()
    errors: dict[str, BaseException] = {}

    def suspend() -> None:
        with transaction.atomic():
            user_suspend(user=fan)
            locked.set()
            until_another_waits()  # the suspension stays open until the follow waits on it
        suspended.set()

    def follow() -> None:
        assert locked.wait(20)
        Follow.objects.create(follower=fan, followee=creator)  # no service: the trigger alone

    threads = [thread_start(errors, "suspend", suspend), thread_start(errors, "follow", follow)]
    for thread in threads:
        thread.join(60)
    assert errors == {}
    assert suspended.is_set()
    assert _stored(creator) == _counted(creator) == 0
    user_reinstate(user=fan)
    assert _stored(creator) == _counted(creator) == 1
    assert _stored(lower) == _counted(lower) == 1


@pytest.mark.django_db
def test_a_recount_mends_counts_a_bulk_load_left_out():
    creator, other = UserFactory(), UserFactory()
    fans = [UserFactory() for _ in range(3)]
    for fan in fans:
        FollowFactory(follower=fan, followee=creator)
    user_suspend(user=fans[0])
    User.objects.filter(pk=creator.pk).update(follower_count=7)
    User.objects.filter(pk=other.pk).update(follower_count=2)
    assert follower_counts_recount() == 2
    assert (_stored(creator), _stored(other)) == (2, 0)
    assert follower_counts_recount() == 0


@pytest.mark.django_db(transaction=True)
def test_a_follower_removed_while_being_suspended_is_taken_off_once():
    creator, fan = UserFactory(), UserFactory()
    FollowFactory(follower=fan, followee=creator)
    FollowFactory(follower=UserFactory(), followee=creator)
    locked = threading.Event()
    errors: dict[str, BaseException] = {}

    def suspend() -> None:
        with transaction.atomic():
            user_suspend(user=fan)
            locked.set()
            until_another_waits()  # open until the removal waits on it

    def remove() -> None:
        assert locked.wait(20)
        follower_remove(user=creator, follower=fan)

    threads = [thread_start(errors, "suspend", suspend), thread_start(errors, "remove", remove)]
    for thread in threads:
        thread.join(60)
    assert errors == {}
    assert _stored(creator) == _counted(creator) == 1
