"""Fingerprints and matching: a re-encoded copy is the same sound, other audio is not."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from sounds.audio import audio_decode
from sounds.fingerprint import (
    FINGERPRINT_RATE_HZ,
    best_alignment,
    fingerprint_keys,
    fingerprint_samples,
    items_from_signed,
    items_to_signed,
    same_recording,
)
from sounds.models import Sound, SoundKind
from sounds.services import sound_from_audio
from tests.factories import UserFactory
from tests.sounds.media import melody, write_audio, write_reencoded_copy


def _fingerprint(path: Path) -> np.ndarray:
    return fingerprint_samples(audio_decode(path, rate=FINGERPRINT_RATE_HZ)).items


def test_reencoded_copy_with_leading_silence_aligns_and_other_audio_does_not(tmp_path: Path):
    original = _fingerprint(write_audio(tmp_path / "a.m4a", melody(1)))
    copy = _fingerprint(write_reencoded_copy(tmp_path / "a.mp3", melody(1)))
    other = _fingerprint(write_audio(tmp_path / "b.m4a", melody(2)))

    rate, offset = best_alignment(original, copy)
    assert rate < 0.1
    # One second of silence is about 8 Chromaprint items.
    assert 6 <= offset <= 10
    assert same_recording(original, copy)
    assert not same_recording(original, other)
    assert set(fingerprint_keys(original)) & set(fingerprint_keys(copy))
    assert not set(fingerprint_keys(original)) & set(fingerprint_keys(other))


def test_signed_storage_round_trips_every_bit():
    items = np.array([0, 1, 2**31, 2**32 - 1, 123456789], dtype=np.uint32)
    assert np.array_equal(items_from_signed(items_to_signed(items)), items)


def test_reupload_of_reencoded_copy_is_recognised_as_the_same_sound(db, tmp_path: Path):
    owner = UserFactory()
    first, created = sound_from_audio(
        path=write_audio(tmp_path / "a.m4a", melody(1)), title="tune", creator=owner
    )
    assert created
    copy_path = write_reencoded_copy(tmp_path / "copy.mp3", melody(1))
    again, created_again = sound_from_audio(
        path=copy_path, title="my upload", creator=UserFactory()
    )
    other, created_other = sound_from_audio(
        path=write_audio(tmp_path / "b.m4a", melody(2)), title="other", creator=owner
    )

    assert not created_again and again.pk == first.pk
    assert created_other and other.pk != first.pk
    assert Sound.objects.count() == 2
    assert first.kind == SoundKind.UPLOADED
    assert first.audio.name == f"sounds/{first.media_key}/audio.m4a"
    assert 11.5 < first.duration_ms / 1000 < 12.5
