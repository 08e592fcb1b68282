"""Two deletions of one account at once (a double click, its owner and an operator): the second
waits for the first and finds nothing to do, so the counts on other people's things that the
account was part of come down once."""

from __future__ import annotations

import threading
from unittest import mock

import pytest
from django.db import transaction

from profiles.models import User
from profiles.services.account_deletion import account_erase
from sounds.models import Sound, SoundFavorite
from tests.factories import FollowFactory, UserFactory, VideoFactory
from tests.support.concurrency import thread_start, until_another_waits
from videos.models import Like, Video
from videos.services.engagement import like_create, like_delete

pytestmark = pytest.mark.django_db(transaction=True)

WAIT_SECONDS = 20


def test_an_account_deleted_twice_at_once_takes_each_count_down_once():
    alice, bob, carol = UserFactory(), UserFactory(), UserFactory()
    video = VideoFactory(owner=bob, like_count=2)
    Like.objects.create(user=alice, video=video)
    Like.objects.create(user=carol, video=video)
    sound = Sound.objects.create(title="t", creator=bob, kind="uploaded", favorite_count=2)
    SoundFavorite.objects.create(user=alice, sound=sound)
    SoundFavorite.objects.create(user=carol, sound=sound)
    FollowFactory(follower=alice, followee=bob)
    FollowFactory(follower=carol, followee=bob)
    first_done = threading.Event()
    errors: dict[str, BaseException] = {}

    def first() -> None:
        with transaction.atomic():
            account_erase(user=User.objects.get(pk=alice.pk))
            first_done.set()
            until_another_waits(WAIT_SECONDS)  # open until the second deletion waits on it

    def second() -> None:
        assert first_done.wait(WAIT_SECONDS)
        account_erase(user=alice)

    threads = [thread_start(errors, "first", first), thread_start(errors, "second", second)]
    for thread in threads:
        thread.join(60)

    assert errors == {}
    assert not User.objects.filter(pk=alice.pk).exists()
    video.refresh_from_db()
    sound.refresh_from_db()
    assert (video.like_count, sound.favorite_count) == (1, 1)
    assert User.objects.get(pk=bob.pk).follower_count == 1


def test_an_unlike_racing_the_account_deletion_takes_the_like_off_once():
    # The deletion counted the account's likes unlocked, saw the like an uncommitted unlike
    # had removed, and subtracted it as the unlike did: one like fewer than the rows.
    video = VideoFactory()
    leaving, staying = UserFactory(), UserFactory()
    like_create(user=leaving, video=video)
    like_create(user=staying, video=video)
    assert Video.objects.get(pk=video.pk).like_count == 2

    unliked = threading.Event()
    errors: dict[str, BaseException] = {}

    def unlike() -> None:
        # The feed's event goes out after the request's commit in real life; here the
        # transaction is held open, so it is left out.
        with mock.patch("videos.services.engagement._emit"), transaction.atomic():
            like_delete(user=leaving, video=video)  # row gone, counter -1, not yet committed
            unliked.set()
            until_another_waits()  # the deletion has read the like and waits on the counter

    def erase() -> None:
        assert unliked.wait(20)
        account_erase(user=leaving)

    threads = [thread_start(errors, "unlike", unlike), thread_start(errors, "erase", erase)]
    for thread in threads:
        thread.join(60)

    assert errors == {}
    rows = Like.objects.filter(video=video).count()
    count = Video.objects.get(pk=video.pk).like_count
    assert count == rows == 1
