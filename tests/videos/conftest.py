"""Fixtures for the videos tests: small generated clips and a clip-backed video."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.media import make_clip


@pytest.fixture
def clip(tmp_path: Path) -> Path:
    """A 2 s, 160x284, 10 fps clip with a tone."""
    return make_clip(tmp_path / "clip.mp4")


@pytest.fixture
def silent_clip(tmp_path: Path) -> Path:
    """A clip without an audio stream."""
    return make_clip(tmp_path / "silent.mp4", audio=None)


@pytest.fixture
def sent(monkeypatch) -> list[tuple[int, list[str]]]:  # noqa: ANN001
    """The runs handed to the broker (recorded, not queued)."""
    from videos import tasks

    handed: list[tuple[int, list[str]]] = []
    monkeypatch.setattr(
        tasks, "_send_step", lambda *, video_id, names: handed.append((video_id, names)) or True
    )
    return handed
