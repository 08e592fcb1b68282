"""The generated labeled set through the real pipeline and CPU embedder: precision@1 >= 0.8."""

from __future__ import annotations

import re
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from profiles.models import User
from tagging.dataset import LABELED_CLIPS, tagging_dataset_make
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
    call_command("load_taxonomy", "--default", stdout=StringIO())
    users_before = User.objects.count()
    out = StringIO()

    call_command("evaluate_tagging", str(labeled_set), stdout=out)

    report = out.getvalue()
    pipeline_line = next(line for line in report.splitlines() if line.startswith("pipeline "))
    figures = dict(re.findall(r"(precision@1|precision@3|recall@5)=([0-9.]+)", pipeline_line))
    assert float(figures["precision@1"]) >= 0.8, report
    assert "clip11.mp4: expected=- predicted=-" in report, report
    assert not Video.objects.exists()
    assert User.objects.count() == users_before
