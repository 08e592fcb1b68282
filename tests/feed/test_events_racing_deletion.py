"""A video deleted while a viewer's events for it are being stored: neither side fails. The
deletion waits for events already being stored and deletes them too; events that arrive during
the deletion are rejected as for an unknown video, and the rest of their batch is kept."""

from __future__ import annotations

import threading
import time
import uuid

import pytest
from django.db import transaction

from feed.models import Interaction
from feed.services import interactions_record
from tests.factories import UserFactory, VideoFactory
from tests.support.concurrency import lock_waiters, thread_start
from videos.models import Video
from videos.services.videos import video_delete

pytestmark = pytest.mark.django_db(transaction=True)

WAIT_S = 30


def _wait_for_a_lock_waiter(errors: dict) -> None:
    deadline = time.monotonic() + WAIT_S
    while lock_waiters() == 0:
        assert time.monotonic() < deadline, f"nobody came to wait on the lock: {errors}"
        time.sleep(0.02)


def _watch(video_id: int) -> dict:
    return {"event_id": str(uuid.uuid4()), "video_id": video_id, "type": "play", "watch_ms": 900}


def _during_a_deletion(video, work, errors: dict) -> None:  # noqa: ANN001
    """Run `work` on its own thread while another transaction has deleted `video` and not yet
    committed: `work` reads the video (still there), then waits on its row; the deletion then
    commits and both threads are joined."""
    deleted, commit = threading.Event(), threading.Event()

    def delete_and_hold() -> None:
        with transaction.atomic():
            video_delete(video=Video.objects.get(pk=video.pk))
            deleted.set()
            commit.wait(WAIT_S)

    deleting = thread_start(errors, "delete", delete_and_hold)
    assert deleted.wait(WAIT_S), errors
    working = thread_start(errors, "work", work)
    _wait_for_a_lock_waiter(errors)
    commit.set()
    deleting.join(WAIT_S)
    working.join(WAIT_S)


def test_deleting_a_video_waits_for_an_event_being_stored_and_deletes_it_too():
    video, viewer = VideoFactory(), UserFactory()
    errors: dict[str, BaseException] = {}
    stored, commit = threading.Event(), threading.Event()

    def viewer_event() -> None:
        with transaction.atomic():
            interactions_record(user=viewer, session_id="s1", events=[_watch(video.pk)])
            stored.set()
            commit.wait(WAIT_S)

    viewing = thread_start(errors, "viewer", viewer_event)
    assert stored.wait(WAIT_S), errors
    deleting = thread_start(
        errors, "delete", lambda: video_delete(video=Video.objects.get(pk=video.pk))
    )
    _wait_for_a_lock_waiter(errors)  # the deletion waits for the event's transaction
    commit.set()
    viewing.join(WAIT_S)
    deleting.join(WAIT_S)

    assert errors == {}
    assert not Video.objects.filter(pk=video.pk).exists()
    assert not Interaction.objects.filter(video_id=video.pk).exists()


def test_events_arriving_during_a_deletion_are_rejected_and_the_rest_of_the_batch_kept():
    video, other, viewer = VideoFactory(), VideoFactory(), UserFactory()
    errors: dict[str, BaseException] = {}
    answer: dict = {}

    def record() -> None:
        answer.update(
            interactions_record(
                user=viewer, session_id="s1", events=[_watch(other.pk), _watch(video.pk)]
            )
        )

    # The batch reads its videos before the deletion commits (both still there), then waits.
    _during_a_deletion(video, record, errors)

    assert errors == {}
    assert answer["accepted"] == 1
    assert [(r["index"], r["error"]) for r in answer["rejected"]] == [(1, "unknown_video")]
    assert list(Interaction.objects.values_list("video_id", flat=True)) == [other.pk]


def test_a_like_stored_as_its_video_is_deleted_is_answered_409_not_500():
    from rest_framework.test import APIClient

    from videos.models import Like

    video, viewer = VideoFactory(), UserFactory()
    client = APIClient()
    client.force_authenticate(user=viewer)
    errors: dict[str, BaseException] = {}
    answer: dict = {}

    def like() -> None:
        response = client.post(f"/api/videos/{video.pk}/like")
        answer.update(status=response.status_code, body=response.json())

    _during_a_deletion(video, like, errors)  # the like reads the video, then waits on its row

    assert errors == {}
    assert answer["status"] == 409, answer
    assert answer["body"]["error"] == "referenced_item_deleted"
    assert not Like.objects.exists()
