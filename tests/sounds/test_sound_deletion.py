"""An original sound (its creator's voice, made from a video's audio) goes with the last video
using it, its file too; an uploaded sound, and an original sound another video still uses,
stay."""

from __future__ import annotations

from pathlib import Path

import pytest

from sounds.models import Sound, SoundKind
from sounds.services import sound_from_audio
from tests.factories import UserFactory, VideoFactory
from tests.sounds.media import melody, write_audio
from tiktok.storage import storage_exists
from videos.services.videos import video_delete

pytestmark = pytest.mark.django_db


def _sound(tmp_path: Path, kind: str, number: int = 1) -> Sound:
    path = write_audio(tmp_path / f"voice{number}.m4a", melody(number))
    sound, created = sound_from_audio(path=path, title="a voice", creator=UserFactory(), kind=kind)
    assert created
    return sound


def test_an_original_sound_goes_with_the_last_video_using_it(
    tmp_path, celery_eager, django_capture_on_commit_callbacks
):  # noqa: ANN001
    sound = _sound(tmp_path, SoundKind.ORIGINAL)
    first = VideoFactory(owner=sound.creator, sound=sound)
    reuse = VideoFactory(sound=sound)  # someone made a video with it
    with django_capture_on_commit_callbacks(execute=True):
        video_delete(video=first)
    assert Sound.objects.filter(pk=sound.pk).exists()  # still used
    with django_capture_on_commit_callbacks(execute=True):
        video_delete(video=reuse)
    assert not Sound.objects.filter(pk=sound.pk).exists()
    assert not storage_exists(sound.audio.name)


def test_an_uploaded_sound_stays_when_its_videos_go(tmp_path, django_capture_on_commit_callbacks):  # noqa: ANN001
    sound = _sound(tmp_path, SoundKind.UPLOADED, number=2)
    video = VideoFactory(sound=sound)
    with django_capture_on_commit_callbacks(execute=True):
        video_delete(video=video)
    assert Sound.objects.filter(pk=sound.pk).exists()
    assert storage_exists(sound.audio.name)


def test_deleting_an_account_takes_its_original_sounds_and_videos_together(
    tmp_path, celery_eager, django_capture_on_commit_callbacks
):  # noqa: ANN001
    sound = _sound(tmp_path, SoundKind.ORIGINAL, number=3)
    VideoFactory(owner=sound.creator, sound=sound)
    with django_capture_on_commit_callbacks(execute=True):
        sound.creator.delete()
    assert not Sound.objects.filter(pk=sound.pk).exists()
    assert not storage_exists(sound.audio.name)
