"""The generated labeled set through the real pipeline and CPU embedder: precision@1 >= 0.8."""

from __future__ import annotations

from pathlib import Path

import pytest

from profiles.models import User
from tagging.dataset import HELD_OUT_CLIPS, LABELED_CLIPS, tagging_dataset_make
from tests.tagging.reports import evaluate_tagging_report
from videos.models import Video

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


@pytest.fixture(scope="module")
def labeled_set(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("tagging-set")
    tagging_dataset_make(out)
    return out


def test_the_generated_set_has_clips_and_labels(labeled_set: Path) -> None:
    rows = (labeled_set / "labels.csv").read_text().splitlines()
    assert len(rows) == len(LABELED_CLIPS) + 1
    assert all((labeled_set / clip.filename).stat().st_size > 0 for clip in LABELED_CLIPS)


def test_cpu_backend_reaches_precision_at_1_of_0_8(labeled_set: Path, embedder, settings) -> None:  # noqa: ANN001
    settings.ACTIVE_EMBEDDING_VERSION = ""
    users_before = User.objects.count()

    report, figures = evaluate_tagging_report(labeled_set)

    assert figures["precision@1"] >= 0.8, report
    assert "clip11.mp4: expected=- predicted=-" in report, report
    assert not Video.objects.exists()
    assert User.objects.count() == users_before


def test_held_out_speech_gets_its_topic_and_off_topic_speech_gets_none(
    tmp_path: Path,
    embedder,  # noqa: ANN001
    settings,  # noqa: ANN001
) -> None:
    """Clips never used to choose the thresholds: at least 8 in 10 get a fitting top tag, and
    the two about nothing in particular get no tag."""
    settings.ACTIVE_EMBEDDING_VERSION = ""
    tagging_dataset_make(tmp_path, clips=HELD_OUT_CLIPS)

    report, figures = evaluate_tagging_report(tmp_path)

    assert figures["precision@1"] >= 0.8, report
    assert "held11.mp4: expected=- predicted=-" in report, report
    assert "held12.mp4: expected=- predicted=-" in report, report
    assert report.count("\n  heard: ") == len(HELD_OUT_CLIPS), report
