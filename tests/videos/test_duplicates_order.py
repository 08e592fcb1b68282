"""Copies by look are found whichever of two uploads embeds first."""

from __future__ import annotations

import pytest

from tests.factories import VideoEmbeddingFactory, VideoFactory
from videos.duplicates import duplicate_mark
from videos.models import VideoStatus

pytestmark = pytest.mark.django_db

LOOK = [1.0, 0.0, 0.0, 0.0]


def _processing_video():  # noqa: ANN202
    return VideoFactory(status=VideoStatus.PROCESSING, duration_s=20.0)


def _embedded(video, look=LOOK):  # noqa: ANN001, ANN202
    VideoEmbeddingFactory(video=video, look_version="look-1", look=look)
    return duplicate_mark(video=video, look_version="look-1", look=look)


def test_a_later_copy_that_embeds_first_is_marked_once_the_earlier_video_embeds() -> None:
    earlier, later = _processing_video(), _processing_video()

    assert _embedded(later) is None  # nothing earlier has a look yet
    assert _embedded(earlier) is None  # the earliest is the original

    later.refresh_from_db()
    earlier.refresh_from_db()
    assert later.duplicate_of_id == earlier.pk
    assert earlier.duplicate_of_id is None


def test_copies_of_a_later_copy_are_moved_to_the_earliest_video() -> None:
    earliest, middle, last = _processing_video(), _processing_video(), _processing_video()

    _embedded(middle)
    assert _embedded(last) == middle.pk
    _embedded(earliest)

    middle.refresh_from_db()
    last.refresh_from_db()
    assert (middle.duplicate_of_id, last.duplicate_of_id) == (earliest.pk, earliest.pk)


def test_a_later_video_that_looks_different_is_not_marked() -> None:
    earlier, later = _processing_video(), _processing_video()

    _embedded(later, look=[0.0, 1.0, 0.0, 0.0])
    _embedded(earlier)

    later.refresh_from_db()
    assert later.duplicate_of_id is None
