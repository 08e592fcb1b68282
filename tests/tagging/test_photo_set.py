"""Silent clips of real photographs (no audio, no caption, meaningless names) through the real
pipeline and CPU embedder: what the frames show is enough to tag them."""

from __future__ import annotations

from pathlib import Path

import av
import pytest

from tagging.photo_set import LABELED_PHOTOS, photo_dataset_make, photos_missing
from tests.tagging.reports import evaluate_tagging_report

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


@pytest.fixture(scope="module")
def photo_set(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("photo-set")
    photo_dataset_make(out)
    return out


def test_every_listed_photograph_is_installed() -> None:
    assert photos_missing() == []


def test_the_photo_clips_are_silent_and_unnamed(photo_set: Path) -> None:
    rows = (photo_set / "labels.csv").read_text().splitlines()
    assert len(rows) == len(LABELED_PHOTOS) + 1
    with av.open(str(photo_set / "photo01.mp4")) as container:
        assert not container.streams.audio
        assert container.streams.video[0].frames > 1


def test_silent_photo_clips_get_a_fitting_tag_in_the_top_3(
    photo_set: Path,
    embedder,  # noqa: ANN001
    settings,  # noqa: ANN001
) -> None:
    settings.ACTIVE_EMBEDDING_VERSION = ""

    report, figures = evaluate_tagging_report(photo_set)

    assert "failed:" not in report, report
    assert figures["fit@3"] >= 0.7, report
    assert figures["precision@1"] >= 0.7, report
