"""The public-count triggers under concurrent writers: a count never misses a change made while
another transaction counted, and counting never deadlocks with a suspension."""

from __future__ import annotations

import threading
import time
from unittest import mock

import pytest
from django.db import transaction

import profiles.services.suspension as suspension
from moderation.services import case_user_suspend, report_create
from profiles.services.graph import account_privacy_set
from tests.factories import UserFactory, VideoFactory
from tests.support.concurrency import lock_waiters, thread_start, until_another_waits
from videos.models import Hashtag, Video, VideoHashtag, VideoStatus
from videos.pipeline.progress import video_set_status
from videos.services.hashtags import video_hashtags_sync

pytestmark = pytest.mark.django_db(transaction=True)

WAIT_SECONDS = 20


def _until(done: threading.Event) -> None:
    """Until `done` is set or another transaction waits on a lock (the moment a race forms)."""
    deadline = time.monotonic() + WAIT_SECONDS
    while not done.is_set() and not lock_waiters() and time.monotonic() < deadline:
        time.sleep(0.05)


def test_a_hashtag_added_while_its_account_goes_private_is_not_left_counted():
    owner = UserFactory(is_private=False)
    video = VideoFactory(owner=owner, caption="hello")
    tagged, privacy_done = threading.Event(), threading.Event()
    errors: dict[str, BaseException] = {}

    def edit() -> None:
        with transaction.atomic():
            Video.objects.filter(pk=video.pk).update(caption="hello #racetag")
            video_hashtags_sync(video=Video.objects.get(pk=video.pk))
            tagged.set()
            _until(privacy_done)  # the account's change runs (or waits) before this commits

    def go_private() -> None:
        assert tagged.wait(WAIT_SECONDS)
        try:
            account_privacy_set(user=owner, private=True)
        finally:
            privacy_done.set()

    threads = [thread_start(errors, "edit", edit), thread_start(errors, "private", go_private)]
    for thread in threads:
        thread.join(60)

    assert errors == {}
    # The only video carrying it is a private account's: nobody else may see it.
    assert Hashtag.objects.get(name="racetag").video_count == 0


def test_publishing_a_video_while_its_owner_is_suspended_does_not_deadlock(monkeypatch):
    # A suspension locks the account's row, ends its sessions, then hides all its videos; the
    # video trigger once took a share lock on the same row after updating its video.
    owner = UserFactory()
    VideoFactory(owner=owner)
    pending = VideoFactory(owner=owner, caption="#late")
    Video.objects.filter(pk=pending.pk).update(status=VideoStatus.PROCESSING, published_at=None)
    pending.refresh_from_db()
    case = report_create(
        reporter=UserFactory(), kind="user", reason="spam", username=owner.username
    ).report.case
    row_locked, published = threading.Event(), threading.Event()
    real_sessions_end = suspension.user_sessions_end
    errors: dict[str, BaseException] = {}

    def sessions_end_while_publishing(*, user):  # noqa: ANN001, ANN202
        row_locked.set()
        _until(published)
        return real_sessions_end(user=user)

    monkeypatch.setattr(suspension, "user_sessions_end", sessions_end_while_publishing)

    def publish() -> None:
        assert row_locked.wait(WAIT_SECONDS)
        try:
            with transaction.atomic():
                video_set_status(video=pending, status=VideoStatus.READY)
        finally:
            published.set()

    threads = [
        thread_start(errors, "suspend", lambda: case_user_suspend(case=case, moderator=None)),
        thread_start(errors, "publish", publish),
    ]
    for thread in threads:
        thread.join(60)

    assert errors == {}
    owner.refresh_from_db()
    assert owner.suspended_at is not None
    assert Video.objects.get(pk=pending.pk).status == VideoStatus.READY


def test_two_caption_edits_trading_hashtags_both_go_through() -> None:
    # The sync dropped the old hashtag (its count trigger locked that row) before adding the
    # new one (locking the other): edits trading #a for #b and #b for #a at once each held one
    # row and waited for the other, and PostgreSQL aborted one (a 500 for its owner).
    import videos.services.hashtags as hashtags_service
    from videos.services.video_edit import video_update

    one, two = VideoFactory(caption="x"), VideoFactory(caption="x")
    video_update(video=one, actor=one.owner, caption="one #zzswap")
    video_update(video=two, actor=two.owner, caption="two #aaswap")
    both_named = threading.Barrier(2)
    first_insert = threading.Lock()
    real_ids, real_create = hashtags_service._hashtag_ids, VideoHashtag.objects.bulk_create

    def named(names):  # noqa: ANN001, ANN202
        ids = real_ids(names)
        both_named.wait(timeout=20)  # both edits have read their hashtags' ids
        return ids

    def inserted_once_the_other_waits(objs, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
        if first_insert.acquire(blocking=False):  # the first edit here lets the other catch up
            until_another_waits()
        return real_create(objs, *args, **kwargs)

    errors: dict[str, BaseException] = {}
    with (
        mock.patch.object(hashtags_service, "_hashtag_ids", named),
        mock.patch.object(VideoHashtag.objects, "bulk_create", inserted_once_the_other_waits),
    ):
        threads = [
            thread_start(
                errors,
                "one",
                lambda: video_update(video=one, actor=one.owner, caption="one #aaswap"),
            ),
            thread_start(
                errors,
                "two",
                lambda: video_update(video=two, actor=two.owner, caption="two #zzswap"),
            ),
        ]
        for thread in threads:
            thread.join(60)
    assert errors == {}
    assert Hashtag.objects.get(name="aaswap").video_count == 1
    assert Hashtag.objects.get(name="zzswap").video_count == 1
    assert set(VideoHashtag.objects.values_list("video_id", "hashtag__name")) == {
        (one.pk, "aaswap"),
        (two.pk, "zzswap"),
    }
