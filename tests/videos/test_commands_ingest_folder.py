"""manage.py ingest_folder: walk, dedupe, captions, bad files, exit codes."""

from __future__ import annotations

import json
import shutil
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from tests.factories import UserFactory
from tests.support.media import make_clip, make_gif, make_text_as_mp4, make_webm
from videos.models import Video, VideoStatus


@pytest.fixture
def owner(db):  # noqa: ANN001
    return UserFactory(username="ingester")


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    root = tmp_path / "in"
    make_clip(root / "beach_day.mp4", audio=None)
    (root / "beach_day.txt").write_text("Sunny beach day\n")
    make_webm(root / "nested" / "cooking.webm", audio=None)
    (root / "nested" / "cooking.json").write_text(
        json.dumps({"title": "Pasta", "description": "quick"})
    )
    make_gif(root / "nested" / "deeper" / "loop_it.gif")
    (root / "notes.md").write_text("not a video")
    return root


def _ingest(*args: str) -> str:
    out = StringIO()
    call_command("ingest_folder", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_ingests_every_video_with_sidecar_or_file_name_captions(owner, folder):
    output = _ingest(str(folder), "--user", "ingester")
    captions = dict(Video.objects.values_list("original_filename", "caption"))
    assert captions == {
        "beach_day.mp4": "Sunny beach day",
        "cooking.webm": "Pasta\nquick",
        "loop_it.gif": "loop it",
    }
    assert set(Video.objects.values_list("status", flat=True)) == {VideoStatus.PROCESSING}
    assert "3 created" in output


def test_rerun_and_renamed_copy_make_no_duplicates(owner, folder):
    _ingest(str(folder), "--user", "ingester")
    shutil.copy(folder / "beach_day.mp4", folder / "renamed copy.mp4")
    output = _ingest(str(folder), "--user", "ingester")
    assert Video.objects.count() == 3
    assert "4 duplicate" in output


def test_bad_file_does_not_stop_the_batch_and_exit_is_non_zero(owner, folder):
    make_text_as_mp4(folder / "a_fake.mp4")
    with pytest.raises(CommandError, match="1 rejected"):
        _ingest(str(folder), "--user", "ingester")
    assert Video.objects.count() == 3


def test_failed_before_is_reported_again_and_retried_only_on_request(owner, folder):
    _ingest(str(folder), "--user", "ingester")
    Video.objects.filter(original_filename="loop_it.gif").update(
        status=VideoStatus.FAILED, failure_reason="transcode: broken"
    )
    with pytest.raises(CommandError, match="1 failed_before"):
        _ingest(str(folder), "--user", "ingester")
    assert Video.objects.filter(status=VideoStatus.FAILED).count() == 1
    output = _ingest(str(folder), "--user", "ingester", "--retry-failed")
    assert "1 retried" in output
    assert not Video.objects.filter(status=VideoStatus.FAILED).exists()
    assert Video.objects.count() == 3


def test_dry_run_and_limit(owner, folder):
    assert "3 would_create" in _ingest(str(folder), "--user", "ingester", "--dry-run")
    assert not Video.objects.exists()
    _ingest(str(folder), "--user", "ingester", "--limit", "1")
    assert Video.objects.count() == 1


def test_wait_runs_until_ready_and_prints_the_outcome_table(owner, tmp_path, embedder, settings):  # noqa: ANN001
    settings.CELERY_TASK_ALWAYS_EAGER = True
    from tiktok.celery import app

    app.conf.task_always_eager = True
    try:
        make_clip(tmp_path / "one" / "dog.mp4", audio=None)
        output = _ingest(str(tmp_path / "one"), "--user", "ingester", "--wait")
    finally:
        app.conf.task_always_eager = False
    assert "dog.mp4" in output and "ready" in output
    assert Video.objects.get().status == VideoStatus.READY
