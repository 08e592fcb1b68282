"""The follower-count triggers lock one of 512 keys per account (migrations/0010), so a
transaction that writes the follows of many accounts holds 512 of those locks at most: deleting
an account followed by more accounts than PostgreSQL's lock table holds (one follow per
follower goes in the cascade, one lock each) failed with "out of shared memory" and the
account stayed."""

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


def test_deleting_an_account_with_thousands_of_followers_holds_512_locks_at_most():
    n = 3000
    creator, followed = UserFactory(), UserFactory()
    fans = User.objects.bulk_create([User(username=f"fan{i}", password="!") for i in range(n)])
    Follow.objects.bulk_create([Follow(follower=fan, followee=creator) for fan in fans])
    Follow.objects.create(follower=creator, followee=followed)
    assert User.objects.get(pk=creator.pk).follower_count == n

    with transaction.atomic():
        account_erase(user=creator)
        held = advisory_locks_held(FOLLOWER_COUNT_LOCK_SPACE)

    assert 0 < held <= 512
    assert not User.objects.filter(pk=creator.pk).exists()
    assert not Follow.objects.exists()
    assert User.objects.get(pk=followed.pk).follower_count == 0
    assert User.objects.count() == n + 1
