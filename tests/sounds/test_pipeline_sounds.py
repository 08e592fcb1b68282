"""The pipeline's sound work: original sounds (made, or matched to an existing sound) and
"use this sound" (the sound laid over the video, the video's own audio kept at a volume)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from django.utils import timezone

from sounds.audio import audio_decode
from sounds.fingerprint import FINGERPRINT_RATE_HZ, fingerprint_samples, same_recording
from sounds.models import Sound, SoundKind
from tests.factories import UserFactory
from tests.sounds.media import melody, write_video
from tiktok.storage import storage_exists, storage_local_path
from videos.cards import video_cards
from videos.models import Video, VideoStatus
from videos.pipeline.steps import step_transcode
from videos.services.videos import video_create_from_path


def _transcoded(owner, path: Path, **kwargs) -> Video:  # noqa: ANN001, ANN003
    video, _ = video_create_from_path(owner=owner, path=path, **kwargs)
    step_transcode(video)
    return Video.objects.get(pk=video.pk)


def _stored_audio(video: Video, rate: int = FINGERPRINT_RATE_HZ) -> np.ndarray:
    with storage_local_path(video.mp4.name) as mp4:
        return audio_decode(mp4, rate=rate)[0]


def _items(samples: np.ndarray) -> np.ndarray:
    return fingerprint_samples(samples).items


def test_a_public_video_with_audio_gets_its_original_sound(db, tmp_path: Path):
    owner = UserFactory(username="singer")
    video = _transcoded(owner, write_video(tmp_path / "v.mp4", melody(3), seconds=8))

    sound = video.sound
    assert sound is not None and video.sound_volume is None
    assert (sound.kind, sound.creator, sound.title) == (
        SoundKind.ORIGINAL,
        owner,
        "original sound - singer",
    )
    assert sound.use_count == 0  # a use counts once the video is out
    assert 7.5 < sound.duration_ms / 1000 < 8.5
    assert storage_exists(sound.audio.name)
    # Its card names the sound once the video is out (until then the sound's page is a 404).
    assert video_cards(videos=[video])[0]["sound"] is None
    Video.objects.filter(pk=video.pk).update(status=VideoStatus.READY)
    assert Sound.objects.get(pk=sound.pk).use_count == 1
    assert video_cards(videos=[video])[0]["sound"] == {
        "id": sound.pk,
        "title": "original sound - singer",
        "url": f"/sound/{sound.pk}",
    }


def test_a_reupload_of_the_same_audio_joins_the_existing_sound(db, tmp_path: Path):
    first = _transcoded(UserFactory(), write_video(tmp_path / "a.mp4", melody(3), seconds=8))
    # Someone else downloads it and re-uploads it with a second of silence in front.
    padded = np.concatenate([np.zeros(44100, np.float32), melody(3)])
    again = _transcoded(UserFactory(), write_video(tmp_path / "b.mp4", padded, seconds=9))
    other = _transcoded(UserFactory(), write_video(tmp_path / "c.mp4", melody(4), seconds=8))

    assert again.sound_id == first.sound_id
    assert other.sound_id not in (None, first.sound_id)
    Video.objects.filter(pk__in=[first.pk, again.pk]).update(status=VideoStatus.READY)
    assert Sound.objects.get(pk=first.sound_id).use_count == 2
    assert Sound.objects.count() == 2


def test_a_video_without_audio_or_a_private_one_makes_no_sound(db, tmp_path: Path):
    silent = _transcoded(UserFactory(), write_video(tmp_path / "s.mp4", None, seconds=3))
    private = _transcoded(
        UserFactory(), write_video(tmp_path / "p.mp4", melody(6), seconds=8), privacy="private"
    )
    assert silent.sound_id is None and private.sound_id is None
    assert not Sound.objects.exists()


def test_use_this_sound_replaces_the_audio_with_the_sound_trimmed_to_the_video(
    db, tmp_path: Path, sound: Sound
):
    uses_before = sound.use_count
    video = _transcoded(
        UserFactory(), write_video(tmp_path / "v.mp4", melody(5), seconds=8), sound=sound
    )

    assert video.sound_id == sound.pk and video.sound_volume == 0.0
    Video.objects.filter(pk=video.pk).update(status=VideoStatus.READY)
    assert Sound.objects.get(pk=sound.pk).use_count == uses_before + 1
    heard = _stored_audio(video)
    assert abs(heard.size / FINGERPRINT_RATE_HZ - 8.0) < 0.3  # trimmed to the video, not 12 s
    with storage_local_path(sound.audio.name) as path:
        sound_items = _items(audio_decode(path, rate=FINGERPRINT_RATE_HZ)[0])
    own_items = _items(melody(5)[::4])  # 44.1 kHz -> 11.025 kHz by decimation is enough here
    assert same_recording(sound_items, _items(heard))
    assert not same_recording(own_items, _items(heard))
    assert video_cards(videos=[video])[0]["sound"]["id"] == sound.pk


def test_use_this_sound_keeps_the_videos_own_audio_at_the_chosen_volume(
    db, tmp_path: Path, sound: Sound
):
    clip = write_video(tmp_path / "v.mp4", melody(5), seconds=8)
    replaced = _transcoded(UserFactory(), clip, sound=sound, sound_volume=0.0)
    mixed = _transcoded(UserFactory(), clip, sound=sound, sound_volume=0.5)

    a, b = _stored_audio(replaced), _stored_audio(mixed)
    size = min(a.size, b.size)
    # The two differ by half the video's own audio: that difference is the own audio.
    own_part = (b[:size] - a[:size]) * 2
    own_items = _items(melody(5)[::4])
    assert same_recording(own_items, _items(own_part))
    assert mixed.sound_volume == 0.5


def test_a_video_without_audio_can_use_a_sound(db, tmp_path: Path, sound: Sound):
    video = _transcoded(
        UserFactory(), write_video(tmp_path / "s.mp4", None, seconds=5), sound=sound
    )
    assert video.has_audio
    with storage_local_path(sound.audio.name) as path:
        sound_items = _items(audio_decode(path, rate=FINGERPRINT_RATE_HZ)[0])
    assert same_recording(sound_items, _items(_stored_audio(video)))


def test_a_public_copy_of_a_private_accounts_voice_gets_its_own_sound(db, tmp_path: Path):
    # Linked to the private account's original, the public copy made that sound's page public
    # again, naming the account. It gets an original of its own.
    owner = UserFactory()
    first = _transcoded(owner, write_video(tmp_path / "a.mp4", melody(3), seconds=8))
    owner.is_private = True
    owner.save(update_fields=["is_private"])
    again = _transcoded(UserFactory(), write_video(tmp_path / "b.mp4", melody(3), seconds=8))
    assert again.sound_id not in (None, first.sound_id)
    assert Sound.objects.get(pk=again.sound_id).creator_id == again.owner_id


def test_a_private_copy_of_a_private_accounts_voice_stays_unlinked_when_made_public(
    db, tmp_path: Path, client_for, api_client
):
    # The private copy was linked to any sound it matched; made public, it made the private
    # account's original sound public again, naming the account.
    owner = UserFactory()
    first = _transcoded(owner, write_video(tmp_path / "a.mp4", melody(3), seconds=8))
    owner.is_private = True
    owner.save(update_fields=["is_private"])
    copier = UserFactory()
    copy = _transcoded(
        copier, write_video(tmp_path / "b.mp4", melody(3), seconds=8), privacy="private"
    )
    Video.objects.filter(pk=copy.pk).update(status=VideoStatus.READY)

    response = client_for(copier).patch(
        f"/api/videos/{copy.pk}", {"privacy": "public"}, format="json"
    )

    assert response.status_code == 200, response.content
    assert Video.objects.get(pk=copy.pk).sound_id is None
    assert api_client.get(f"/api/sounds/{first.sound_id}").status_code == 404


def test_a_copy_of_a_voice_whose_only_video_moderation_hid_gets_its_own_sound(
    db, tmp_path: Path, api_client
):
    first = _transcoded(UserFactory(), write_video(tmp_path / "a.mp4", melody(3), seconds=8))
    Video.objects.filter(pk=first.pk).update(status=VideoStatus.READY, hidden_at=timezone.now())
    assert api_client.get(f"/api/sounds/{first.sound_id}").status_code == 404

    copy = _transcoded(UserFactory(), write_video(tmp_path / "b.mp4", melody(3), seconds=8))

    assert copy.sound_id not in (None, first.sound_id)
    assert api_client.get(f"/api/sounds/{first.sound_id}").status_code == 404


def test_a_private_copy_of_your_own_voice_joins_your_sound(db, tmp_path: Path):
    owner = UserFactory()
    first = _transcoded(owner, write_video(tmp_path / "a.mp4", melody(3), seconds=8))
    owner.is_private = True
    owner.save(update_fields=["is_private"])

    again = _transcoded(
        owner, write_video(tmp_path / "b.mp4", melody(3), seconds=8), privacy="private"
    )

    assert again.sound_id == first.sound_id


def test_a_sound_is_stored_and_laid_for_its_whole_length(db, tmp_path: Path):
    # The stored audio was cut at 60 s: a 70 s video made with a 70 s sound (volume 0, the
    # default) went silent for its last 10 s, and the sound's page said 70 s while playing 60.
    from sounds.services import sound_from_audio
    from tests.sounds.media import write_audio
    from videos.media.soundtrack import soundtrack_lay

    sound, created = sound_from_audio(
        path=write_audio(tmp_path / "song.m4a", melody(12, seconds=70.0)),
        title="a long song",
        creator=UserFactory(),
        kind=SoundKind.UPLOADED,
    )
    assert created and 69.0 < sound.duration_ms / 1000 < 71.0
    video = write_video(tmp_path / "v.mp4", None, seconds=70, fps=2)
    with storage_local_path(sound.audio.name) as stored:
        assert audio_decode(stored, rate=8000).shape[1] / 8000 > 69.0
        soundtrack_lay(
            video_mp4=video,
            sound_audio=stored,
            out_mp4=tmp_path / "out.mp4",
            out_wav=tmp_path / "out.wav",
            own_volume=0.0,
            duration_s=70.0,
        )
    tail = audio_decode(tmp_path / "out.mp4", rate=8000)[0][62 * 8000 : 69 * 8000]
    assert float(np.sqrt(np.mean(np.square(tail)))) > 0.05
