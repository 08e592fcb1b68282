"""videos 0013 recounts the stored hashtag and sound counts by the videos anyone may see."""

from __future__ import annotations

import pytest

from sounds.models import Sound, SoundKind
from tests.factories import VideoFactory
from tests.support.migrations import migrate_to, migrate_to_latest
from videos.models import Hashtag, Privacy

BEFORE = [("videos", "0012_share_count_once_per_sharer")]
AFTER = [("videos", "0013_public_counts")]


@pytest.mark.django_db(transaction=True)
def test_stored_counts_that_counted_private_videos_are_recounted() -> None:
    tune = Sound.objects.create(title="tune", kind=SoundKind.UPLOADED)
    public, private = VideoFactory(sound=tune), VideoFactory(sound=tune, privacy=Privacy.PRIVATE)
    migrate_to(BEFORE)
    tag = Hashtag.objects.create(name="sunset", video_count=0)
    for video in (public, private):
        video.video_hashtags.create(hashtag=tag)
    Sound.objects.filter(pk=tune.pk).update(use_count=2)
    assert Hashtag.objects.get(pk=tag.pk).video_count == 2

    try:
        migrate_to(AFTER)
        assert Hashtag.objects.get(pk=tag.pk).video_count == 1
        assert Sound.objects.get(pk=tune.pk).use_count == 1
    finally:
        migrate_to_latest()
