"""A video's hashtags follow its caption: on creation, on every edit, on deletion (also by a
cascade), with counts kept right by the database."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from tests.factories import UserFactory, VideoFactory
from videos.models import Hashtag, Video, VideoHashtag, VideoStatus
from videos.services.hashtags import hashtags_backfill, video_hashtags_sync
from videos.services.video_edit import video_update
from videos.services.videos import video_create_from_path, video_delete

pytestmark = pytest.mark.django_db


def names_of(video: Video) -> set[str]:
    return set(VideoHashtag.objects.filter(video=video).values_list("hashtag__name", flat=True))


def counts() -> dict[str, int]:
    return dict(Hashtag.objects.values_list("name", "video_count"))


def tagged(caption: str, **fields) -> Video:  # noqa: ANN003
    video = VideoFactory(caption=caption, **fields)
    video_hashtags_sync(video=video)
    return video


def test_creating_a_video_stores_its_caption_hashtags(clip, media_store):
    video, _ = video_create_from_path(owner=UserFactory(), path=clip, caption="#Café au #東京")

    assert names_of(video) == {"café", "東京"}
    assert counts() == {"café": 0, "東京": 0}  # counted once published
    Video.objects.filter(pk=video.pk).update(status=VideoStatus.READY)
    assert counts() == {"café": 1, "東京": 1}
    assert Hashtag.objects.get(name="café").last_used_at is not None


def test_editing_the_caption_moves_the_video_between_hashtags():
    video = tagged("#cats #dogs")
    tagged("#cats")

    video_update(video=video, actor=video.owner, caption="now #dogs and #birds")

    assert names_of(video) == {"dogs", "birds"}
    assert counts() == {"cats": 1, "dogs": 1, "birds": 1}


def test_an_edit_that_only_changes_case_keeps_the_hashtag():
    video = tagged("#Straße")

    video_update(video=video, actor=video.owner, caption="#STRASSE")

    assert names_of(video) == {"strasse"}
    assert counts() == {"strasse": 1}


def test_deleting_a_video_lowers_its_hashtags_counts():
    video = tagged("#cats #dogs")
    tagged("#cats")

    video_delete(video=video)

    assert counts() == {"cats": 1, "dogs": 0}


def test_deleting_an_account_lowers_the_counts_of_its_videos_hashtags():
    owner = UserFactory()
    tagged("#cats", owner=owner)
    tagged("#cats #dogs", owner=owner)
    tagged("#cats")

    owner.delete()

    assert counts() == {"cats": 1, "dogs": 0}


def test_a_caption_with_500_hashtags_stores_the_limit(settings):
    settings.HASHTAGS_PER_CAPTION_MAX = 30
    video = tagged(" ".join(f"#tag{i}" for i in range(500)))

    assert len(names_of(video)) == 30
    assert Hashtag.objects.count() == 30


def test_syncing_twice_changes_nothing():
    video = tagged("#cats")

    video_hashtags_sync(video=video)

    assert counts() == {"cats": 1}
    assert VideoHashtag.objects.count() == 1


def test_backfill_parses_existing_captions():
    first = VideoFactory(caption="#old #Times")
    second = VideoFactory(caption="#old")

    done = hashtags_backfill()

    assert done == 2
    assert names_of(first) == {"old", "times"}
    assert names_of(second) == {"old"}
    assert counts() == {"old": 2, "times": 1}


@pytest.mark.django_db(transaction=True)
def test_concurrent_edits_of_different_videos_keep_the_shared_count_right():
    videos = [VideoFactory(caption="plain") for _ in range(6)]
    errors: list[BaseException] = []

    def edit(video: Video) -> None:
        try:
            video_update(video=video, actor=video.owner, caption="#together #again")
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=edit, args=(video,)) for video in videos]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert counts() == {"together": 6, "again": 6}
