"""Tag reads the feed uses for explanations."""

from __future__ import annotations

import pytest

from tagging.selectors import tag_slugs_for_videos
from tests.factories import TagFactory, VideoFactory, VideoTagFactory

pytestmark = pytest.mark.django_db


def test_tag_slugs_for_videos_gives_active_slugs_by_rank() -> None:
    first, second = VideoFactory(), VideoFactory()
    VideoTagFactory(video=first, tag=TagFactory(slug="dogs"), rank=1)
    VideoTagFactory(video=first, tag=TagFactory(slug="cats"), rank=0)
    VideoTagFactory(video=first, tag=TagFactory(slug="off", is_active=False), rank=2)
    untagged = VideoFactory()

    slugs = tag_slugs_for_videos(video_ids=[first.pk, second.pk, untagged.pk])

    assert slugs == {first.pk: ["cats", "dogs"]}


def test_tag_slugs_for_videos_respects_the_limit() -> None:
    video = VideoFactory()
    for rank, slug in enumerate(["a", "b", "c", "d"]):
        VideoTagFactory(video=video, tag=TagFactory(slug=slug), rank=rank)
    assert tag_slugs_for_videos(video_ids=[video.pk], limit=2) == {video.pk: ["a", "b"]}
