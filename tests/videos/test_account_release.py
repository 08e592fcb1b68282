"""Deleting an account brings down the counters its engagement was part of on videos and
comments that outlive it."""

from __future__ import annotations

import importlib

import pytest
from django.db import connection

from tests.factories import UserFactory, VideoFactory
from videos.models import Comment, Share, Video
from videos.services.comment_likes import comment_like_create
from videos.services.engagement import (
    comment_create,
    like_create,
    save_create,
    share_create,
    share_to_user_create,
)

pytestmark = pytest.mark.django_db


def test_an_accounts_engagement_leaves_the_counters_with_it(creator):
    video = VideoFactory(owner=creator)
    leaving, staying = UserFactory(), UserFactory()
    like_create(user=leaving, video=video)
    like_create(user=staying, video=video)
    save_create(user=leaving, video=video)
    thread = comment_create(author=leaving, video=video, body="mine")
    comment_create(author=staying, video=video, body="a reply under it", parent_id=thread.pk)
    kept = comment_create(author=staying, video=video, body="kept")
    comment_like_create(user=leaving, comment=kept)
    share_to_user_create(user=staying, video=video, to=leaving.username)
    share_create(user=staying, video=video, channel="copy_link")

    leaving.delete()

    video.refresh_from_db()
    assert (video.like_count, video.save_count) == (1, 0)
    assert video.comment_count == Comment.objects.filter(video=video).count() == 1
    assert video.share_count == 1  # the copied link stays counted
    kept.refresh_from_db()
    assert kept.like_count == 0


def test_a_sharer_whose_every_share_went_to_the_account_stops_counting(creator):
    # share_count counts each sharer once per video: sent twice to the leaving account by one
    # sharer, and once by another who also shared it elsewhere, the video had two; one stays.
    video = VideoFactory(owner=creator)
    leaving, only_to_them, also_elsewhere, friend = (UserFactory() for _ in range(4))
    share_to_user_create(user=only_to_them, video=video, to=leaving.username)
    share_to_user_create(user=only_to_them, video=video, to=leaving.username)
    share_to_user_create(user=also_elsewhere, video=video, to=leaving.username)
    share_to_user_create(user=also_elsewhere, video=video, to=friend.username)
    video.refresh_from_db()
    assert video.share_count == 2

    leaving.delete()

    video.refresh_from_db()
    assert video.share_count == 1


def test_the_accounts_own_shares_stop_counting(creator):
    # Its share rows stay (anonymous: user NULL) and anonymous shares never count.
    video, other = VideoFactory(owner=creator), VideoFactory(owner=creator)
    leaving, staying = UserFactory(), UserFactory()
    share_create(user=leaving, video=video, channel="copy_link")
    share_create(user=leaving, video=video, channel="whatsapp")
    share_to_user_create(user=leaving, video=other, to=staying.username)
    share_create(user=staying, video=video, channel="copy_link")
    video.refresh_from_db()
    other.refresh_from_db()
    assert (video.share_count, other.share_count) == (2, 1)

    leaving.delete()

    video.refresh_from_db()
    other.refresh_from_db()
    assert (video.share_count, other.share_count) == (1, 0)
    assert Share.objects.filter(user__isnull=True, video=video).count() == 2


def test_the_upgrade_recounts_share_counts_once_per_sharer(creator):
    # Before, every signed-in share counted: 3 by one sharer, 1 by another, and 2 whose
    # account is gone (anonymous rows now) made 6. After: 2 sharers, and the 2 kept.
    migration = importlib.import_module("videos.migrations.0012_share_count_once_per_sharer")
    video, untouched = VideoFactory(owner=creator), VideoFactory(owner=creator)
    repeat, once = UserFactory(), UserFactory()
    Share.objects.bulk_create(
        [Share(user=repeat, video=video) for _ in range(3)]
        + [Share(user=once, video=video), Share(user=None, video=video)]
        + [Share(user=None, video=video), Share(user=once, video=untouched)]
    )
    Video.objects.filter(pk=video.pk).update(share_count=6)
    Video.objects.filter(pk=untouched.pk).update(share_count=1)
    with connection.cursor() as cursor:
        cursor.execute(migration.RECOUNT_SQL)
    video.refresh_from_db()
    untouched.refresh_from_db()
    assert (video.share_count, untouched.share_count) == (4, 1)
