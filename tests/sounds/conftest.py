"""Fixtures of the sound tests: a stored sound made from a generated melody."""

from __future__ import annotations

from pathlib import Path

import pytest

from sounds.models import SoundKind
from sounds.services import sound_from_audio
from tests.factories import UserFactory
from tests.sounds.media import melody, write_audio


@pytest.fixture
def sound(db, tmp_path: Path):  # noqa: ANN001, ANN201
    """An uploaded sound: 12 s of melody 1."""
    path = write_audio(tmp_path / "melody.m4a", melody(1))
    created, _ = sound_from_audio(
        path=path, title="melody one", creator=UserFactory(), kind=SoundKind.UPLOADED
    )
    return created
