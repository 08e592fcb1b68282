"""Search test helpers: videos with their search documents, the embedder switched off."""

from __future__ import annotations

from typing import Any

import pytest

from search.documents import documents_refresh
from tests.factories import VideoFactory
from videos.models import Hashtag, Video, VideoHashtag


@pytest.fixture
def no_embedder(settings):  # noqa: ANN001
    """Nothing listens there: the semantic path is off, as when the embedder is down."""
    settings.EMBEDDER_URL = "http://127.0.0.1:9"


def indexed_video(*, hashtags: tuple[str, ...] = (), **fields: Any) -> Video:
    """A ready public video (unless told otherwise) whose search document is built."""
    video = VideoFactory(**fields)
    for name in hashtags:
        hashtag, _ = Hashtag.objects.get_or_create(name=name)
        VideoHashtag.objects.create(video=video, hashtag=hashtag)
    documents_refresh(video_ids=[video.pk])
    return video


def ids(section: dict[str, Any]) -> list[int]:
    return [item["id"] for item in section["items"]]


@pytest.fixture
def outside_transaction(transactional_db) -> None:  # noqa: ANN001
    """No wrapping test transaction: evaluate_search creates, migrates and drops its own
    throwaway database (CREATE DATABASE cannot run in a transaction)."""


def public_hashtag(name: str, video_count: int) -> Hashtag:
    """A hashtag carried by one video anyone may see (hashtags only private videos carry are
    named to no one), its count then set as given."""
    tag = Hashtag.objects.create(name=name)
    VideoHashtag.objects.create(video=VideoFactory(), hashtag=tag)
    Hashtag.objects.filter(pk=tag.pk).update(video_count=video_count)
    return tag
