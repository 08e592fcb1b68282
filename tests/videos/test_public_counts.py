"""Hashtag.video_count and Sound.use_count count only the videos anyone may see (ready, public,
not hidden, of a public account): public pages show them, so a private video's existence must
not move them. Every transition of a video, and of its account's privacy, keeps them right."""

from __future__ import annotations

import pytest

from profiles.services.graph import account_privacy_set
from sounds.models import Sound, SoundKind
from tests.factories import UserFactory, VideoFactory
from videos.models import Hashtag, Privacy, Video, VideoStatus
from videos.services.hashtags import video_hashtags_sync
from videos.services.moderation import video_hide, video_unhide
from videos.services.video_edit import video_update
from videos.services.videos import video_delete

pytestmark = pytest.mark.django_db


@pytest.fixture
def tune() -> Sound:
    return Sound.objects.create(title="tune", kind=SoundKind.UPLOADED)


def _video(tune: Sound, **fields) -> Video:  # noqa: ANN003
    video = VideoFactory(caption="#sunset at the pier", sound=tune, **fields)
    video_hashtags_sync(video=video)
    return video


def _counts(tune: Sound) -> tuple[int, int]:
    """(the hashtag's video_count, the sound's use_count)."""
    return (
        Hashtag.objects.get(name="sunset").video_count,
        Sound.objects.get(pk=tune.pk).use_count,
    )


@pytest.mark.parametrize(
    "fields",
    [
        {"privacy": Privacy.PRIVATE},
        {"privacy": Privacy.FOLLOWERS},
        {"status": VideoStatus.PROCESSING},
        {"owner": None},  # filled below: a private account
    ],
    ids=["private", "followers_only", "unpublished", "private_account"],
)
def test_a_video_anyone_may_not_see_is_not_counted(tune, fields):
    if "owner" in fields:
        fields = {"owner": UserFactory(is_private=True)}
    _video(tune, **fields)
    _video(tune)

    assert _counts(tune) == (1, 1)


def test_publishing_a_video_counts_it(tune):
    video = _video(tune, status=VideoStatus.PROCESSING)

    Video.objects.filter(pk=video.pk).update(status=VideoStatus.READY)

    assert _counts(tune) == (1, 1)


def test_making_a_video_private_uncounts_it_and_public_again_counts_it(tune):
    video = _video(tune)

    video_update(video=video, actor=video.owner, privacy=Privacy.PRIVATE)
    assert _counts(tune) == (0, 0)
    video_update(video=Video.objects.get(pk=video.pk), actor=video.owner, privacy=Privacy.PUBLIC)
    assert _counts(tune) == (1, 1)


def test_a_video_moderation_removes_is_uncounted_and_counted_again_when_restored(tune):
    video = _video(tune)

    video_hide(video=video, reason="spam")
    assert _counts(tune) == (0, 0)
    video_unhide(video=Video.objects.get(pk=video.pk))
    assert _counts(tune) == (1, 1)


def test_deleting_a_public_video_uncounts_it_and_a_private_one_changes_nothing(tune):
    public, private = _video(tune), _video(tune, privacy=Privacy.PRIVATE)

    video_delete(video=private)
    assert _counts(tune) == (1, 1)
    video_delete(video=public)
    assert _counts(tune) == (0, 0)


def test_an_account_made_private_uncounts_its_videos_and_public_again_counts_them(tune):
    owner = UserFactory()
    _video(tune, owner=owner)
    _video(tune, owner=owner)
    _video(tune, owner=owner, privacy=Privacy.PRIVATE)

    account_privacy_set(user=owner, private=True)
    assert _counts(tune) == (0, 0)
    account_privacy_set(user=owner, private=False)
    assert _counts(tune) == (2, 2)


def test_a_hashtag_edited_out_of_a_public_caption_and_a_sound_unlinked_are_uncounted(tune):
    video = _video(tune)

    video_update(video=video, actor=video.owner, caption="at the pier")
    Video.objects.filter(pk=video.pk).update(sound=None)

    assert _counts(tune) == (0, 0)
