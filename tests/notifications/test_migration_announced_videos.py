"""notifications 0004 counts every video published before it as announced, to its audience too
unless it is private or hidden: those tell their followers once when they go public."""

from __future__ import annotations

import pytest
from django.utils import timezone

from notifications.models import AnnouncedVideo
from tests.factories import VideoFactory
from tests.support.migrations import migrate_to, migrate_to_latest
from videos.models import Privacy, VideoStatus

BEFORE = [("notifications", "0003_alter_notification_kind")]
AFTER = [("notifications", "0004_announced_videos")]


@pytest.mark.django_db(transaction=True)
def test_published_videos_count_as_announced_and_private_ones_await_their_audience() -> None:
    public = VideoFactory(status=VideoStatus.READY, privacy=Privacy.PUBLIC)
    followers = VideoFactory(status=VideoStatus.READY, privacy=Privacy.FOLLOWERS)
    private = VideoFactory(status=VideoStatus.READY, privacy=Privacy.PRIVATE)
    hidden = VideoFactory(status=VideoStatus.READY, hidden_at=timezone.now())
    VideoFactory(status=VideoStatus.PROCESSING)
    migrate_to(BEFORE)
    try:
        migrate_to(AFTER)
        told = {
            video_id: at is not None
            for video_id, at in AnnouncedVideo.objects.values_list("video_id", "audience_told_at")
        }
        assert told == {public.pk: True, followers.pk: True, private.pk: False, hidden.pk: False}
    finally:
        migrate_to_latest()
