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


@pytest.fixture
def instant_steps(monkeypatch) -> list[tuple[str, int]]:  # noqa: ANN001
    """Each pipeline step succeeds at once with an empty output (the run's policy under test,
    not media or the embedder); returns the (step, video id) calls in order."""
    from videos.pipeline import steps as steps_module
    from videos.pipeline.outputs import (
        EmbedOutput,
        PublishOutput,
        TagOutput,
        TranscodeOutput,
        TranscribeOutput,
    )

    outputs = {
        "transcode": TranscodeOutput(frames=["frame.jpg"]),
        "transcribe": TranscribeOutput(),
        "embed": EmbedOutput(embedding_version="v1", dim=8),
        "tag": TagOutput(),
        "publish": PublishOutput(embedding_version="v1"),
    }
    calls: list[tuple[str, int]] = []
    for name, output in outputs.items():
        needs = steps_module.STEPS[name].needs

        def run(video, *inputs, _name=name, _output=output):  # noqa: ANN001, ANN002, ANN202
            calls.append((_name, video.pk))
            return _output

        monkeypatch.setitem(steps_module.STEPS, name, steps_module.Step(run, needs=needs))
    return calls
