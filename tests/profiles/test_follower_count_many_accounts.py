"""Erasing an account does not take a lock per follower (migrations/0010): its follows go with
it and move no count but its own, so the follow-count trigger skips them. It took one advisory
lock per follower in the deleting transaction, and past PostgreSQL's lock table (about 15,000
locks on the embedded server) deleting an account with that many followers failed with "out of
shared memory" and the account stayed."""

from __future__ import annotations

import importlib

import pytest
from django.db import transaction

from profiles.models import Follow, User
from profiles.services.account_deletion import account_erase
from tests.factories import UserFactory
from tests.support.lock_table import advisory_locks_held

pytestmark = pytest.mark.django_db(transaction=True)

FOLLOWER_COUNT_LOCK_SPACE = importlib.import_module(
    "profiles.migrations.0008_follower_count"
).FOLLOWER_COUNT_LOCK_SPACE


def test_erasing_an_account_with_thousands_of_followers_locks_only_its_own_follows():
    n = 3000
    creator, followed, fan_followed = UserFactory(), UserFactory(), UserFactory()
    fans = User.objects.bulk_create([User(username=f"fan{i}", password="!") for i in range(n)])
    Follow.objects.bulk_create([Follow(follower=fan, followee=creator) for fan in fans])
    Follow.objects.create(follower=creator, followee=followed)
    Follow.objects.create(follower=fans[0], followee=fan_followed)
    assert User.objects.get(pk=creator.pk).follower_count == n

    with transaction.atomic():
        account_erase(user=creator)
        held = advisory_locks_held(FOLLOWER_COUNT_LOCK_SPACE)

    assert held == 1  # the erased account's own key, for the follow it held
    assert not User.objects.filter(pk=creator.pk).exists()
    assert list(Follow.objects.values_list("follower_id", "followee_id")) == [
        (fans[0].pk, fan_followed.pk)
    ]
    assert User.objects.get(pk=followed.pk).follower_count == 0
    assert User.objects.get(pk=fan_followed.pk).follower_count == 1
    # the setting ended with the transaction: the next unfollow counts again
    Follow.objects.filter(follower=fans[0]).delete()
    assert User.objects.get(pk=fan_followed.pk).follower_count == 0
