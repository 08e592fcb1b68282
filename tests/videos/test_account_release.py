"""Deleting an account brings down the counters its engagement was part of on videos and
comments that outlive it."""

from __future__ import annotations

import pytest

from tests.factories import UserFactory, VideoFactory
from videos.models import Comment
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
