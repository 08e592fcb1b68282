"""manage.py ingest_folder: walk, dedupe, captions, bad files, exit codes."""

from __future__ import annotations

import json
import os
import shutil
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from tests.factories import UserFactory
from tests.support.media import make_clip, make_gif, make_text_as_mp4, make_webm
from tests.support.run_locks import run_lock_held_elsewhere
from videos.management.commands import ingest_folder as ingest_folder_command
from videos.models import STEP_ORDER, Video, VideoStatus
from videos.pipeline.policy import pipeline_prepare
from videos.services.ingest import video_ingest_file


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
    """The command over files just written: they are taken at once unless a test says
    otherwise (`--settle`)."""
    out = StringIO()
    settle = () if "--settle" in args else ("--settle", "0")
    call_command("ingest_folder", *args, *settle, stdout=out, stderr=StringIO())
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


def test_a_negative_limit_is_refused(owner, folder):  # noqa: ANN001
    with pytest.raises(CommandError, match="--limit must be 0 or more"):
        _ingest(str(folder), "--user", "ingester", "--limit", "-1")
    assert not Video.objects.exists()


def test_a_file_over_the_upload_cap_is_rejected_unless_the_operator_raises_it(
    owner,  # noqa: ANN001
    tmp_path,  # noqa: ANN001
    settings,  # noqa: ANN001
) -> None:
    root = tmp_path / "in"
    clip = make_clip(root / "padded.mp4", audio=None)
    with clip.open("ab") as padded:  # a short clip with 3 MB of junk: the probe passes it
        padded.write(b"\0" * (3 * 1024 * 1024))
    settings.MAX_UPLOAD_BYTES = 1024 * 1024

    with pytest.raises(CommandError, match="1 rejected"):
        _ingest(str(root), "--user", "ingester")
    assert not Video.objects.exists()
    out = StringIO()
    with pytest.raises(CommandError):
        call_command("ingest_folder", str(root), "--user", "ingester", "--settle", "0", stdout=out)
    assert "is over the cap of 1.0 MB" in out.getvalue()

    _ingest(str(root), "--user", "ingester", "--max-bytes", str(8 * 1024 * 1024))
    assert Video.objects.count() == 1


@pytest.mark.parametrize(
    ("flag", "value", "message"),
    [
        ("--settle", "-5", "--settle must be 0 or more seconds"),
        ("--settle", "nan", "--settle must be 0 or more seconds"),
        ("--max-bytes", "0", "--max-bytes must be positive"),
    ],
)
def test_nonsense_settle_and_cap_are_refused(owner, folder, flag, value, message) -> None:  # noqa: ANN001
    with pytest.raises(CommandError, match=message):
        _ingest(str(folder), "--user", "ingester", flag, value)
    assert not Video.objects.exists()


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


def test_dry_run_checks_each_file_as_the_real_run_would(owner, tmp_path):  # noqa: ANN001
    make_clip(tmp_path / "party.mp4", audio=None)
    shutil.copy(tmp_path / "party.mp4", tmp_path / "party (1).mp4")
    make_text_as_mp4(tmp_path / "page.mp4")
    (tmp_path / "empty.mp4").write_bytes(b"")

    with pytest.raises(CommandError, match="1 duplicate, 2 rejected, 1 would_create; 2 not ok"):
        _ingest(str(tmp_path), "--user", "ingester", "--dry-run")
    assert not Video.objects.exists()


def test_a_file_still_being_written_is_left_for_a_later_run(owner, tmp_path):  # noqa: ANN001
    make_clip(tmp_path / "recording.mp4", audio=None)
    with pytest.raises(CommandError, match="1 busy; 1 not ok"):
        _ingest(str(tmp_path), "--user", "ingester", "--settle", "60")
    assert not Video.objects.exists()
    assert "1 created" in _ingest(str(tmp_path), "--user", "ingester")


def test_a_sidecar_linked_out_of_the_folder_is_not_read_as_a_caption(owner, tmp_path):  # noqa: ANN001
    # Someone who can write in the drop folder, not read the server's files: the run read
    # them for him and published them as the caption.
    secrets = tmp_path / "server.env"
    secrets.write_text("SECRET_KEY=do-not-publish\n")
    root = tmp_path / "dropbox"
    make_clip(root / "cat_video.mp4", audio=None)
    (root / "cat_video.txt").symlink_to(secrets)
    make_clip(root / "dog.mp4", audio=None, seconds=1.5)
    (root / "captions").mkdir()
    (root / "captions" / "dog.txt").write_text("Good dog\n")
    (root / "dog.txt").symlink_to(root / "captions" / "dog.txt")  # inside the folder: read

    _ingest(str(root), "--user", "ingester")

    captions = dict(Video.objects.values_list("original_filename", "caption"))
    assert captions == {"cat_video.mp4": "cat video", "dog.mp4": "Good dog"}


def test_a_video_linked_out_of_the_folder_is_not_ingested(owner, tmp_path):  # noqa: ANN001
    outside = make_clip(tmp_path / "elsewhere" / "private.mp4", audio=None)
    root = tmp_path / "dropbox"
    root.mkdir()
    (root / "innocent.mp4").symlink_to(outside)

    with pytest.raises(CommandError, match="1 skipped; 1 not ok"):
        _ingest(str(root), "--user", "ingester")

    assert not Video.objects.exists()


def test_a_file_replaced_by_a_link_out_after_the_walk_is_not_ingested(  # noqa: ANN201
    owner,
    tmp_path,
    monkeypatch,  # noqa: ANN001
):
    outside = make_clip(tmp_path / "elsewhere" / "private.mp4", audio=None)
    root = tmp_path / "dropbox"
    make_clip(root / "innocent.mp4", audio=None, seconds=1.5)
    walk_folder = ingest_folder_command.folder_walk

    def walk_then_swap(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        walk = walk_folder(*args, **kwargs)
        (root / "innocent.mp4").unlink()
        (root / "innocent.mp4").symlink_to(outside)
        return walk

    monkeypatch.setattr(ingest_folder_command, "folder_walk", walk_then_swap)
    with pytest.raises(CommandError, match="1 skipped; 1 not ok"):
        _ingest(str(root), "--user", "ingester")

    assert not Video.objects.exists()


def test_a_name_that_is_not_utf8_is_printed_stored_and_captioned(owner, tmp_path):  # noqa: ANN001
    # A Latin-1 name from an old disk: the outcome table crashed after the videos were made.
    make_clip(Path(os.fsdecode(bytes(tmp_path) + b"/f\xeate.mp4")), audio=None)

    output = _ingest(str(tmp_path), "--user", "ingester")

    assert "fête.mp4" in output and "1 created" in output
    video = Video.objects.get()
    assert (video.original_filename, video.caption) == ("fête.mp4", "fête")


def test_a_name_with_a_line_break_or_a_bidi_override_is_one_row_as_written(owner, tmp_path):  # noqa: ANN001
    # A newline in a name printed a second row that looked like another file's outcome; a
    # right-to-left override showed "clip\u202e4pm.exe" as "clipexe.mp4".
    make_clip(tmp_path / "evil\nfake.mp4  created  999  ok.mp4", audio=None)
    make_clip(tmp_path / "clip\u202e4pm.mp4", audio=None, seconds=1.5)

    rows = _ingest(str(tmp_path), "--user", "ingester").splitlines()

    assert len(rows) == 4  # the header, one row per file, the summary
    assert any(row.startswith("clip\\u202e4pm.mp4 ") for row in rows[1:3])
    assert any(row.startswith("evil\\nfake.mp4  created  999  ok.mp4 ") for row in rows[1:3])
    assert rows[3].endswith("2 created")


def test_a_video_left_by_an_interrupted_run_is_resumed_by_the_next(owner, folder):  # noqa: ANN001
    # The first run stored every file and stopped before asking for their processing
    # (`--sync` stopped by Ctrl-C after the walk, as before): a re-run said "duplicate", exit 0.
    for path in sorted(folder.rglob("*")):
        if path.suffix in (".mp4", ".webm", ".gif"):
            video_ingest_file(owner=owner, path=path, caption="", enqueue=lambda video: None)
    assert set(Video.objects.values_list("status", flat=True)) == {VideoStatus.UPLOADED}

    output = _ingest(str(folder), "--user", "ingester")

    assert "3 resumed" in output
    assert set(Video.objects.values_list("status", flat=True)) == {VideoStatus.PROCESSING}
    assert all(v.pipeline_requested_at for v in Video.objects.all())
    # Asked for now: a third run finds them duplicates.
    assert "3 duplicate" in _ingest(str(folder), "--user", "ingester")


def test_a_sync_run_whose_process_is_gone_is_resumed_and_a_live_one_is_not(owner, folder):  # noqa: ANN001
    _ingest(str(folder), "--user", "ingester", "--limit", "1")
    video = Video.objects.get()
    # A `--sync` run of it in some process: steps pending, stamped as an in-process run.
    pipeline_prepare(video, list(STEP_ORDER), in_process=True)

    with run_lock_held_elsewhere(video.pk):
        output = _ingest(str(folder), "--user", "ingester")
    assert "1 duplicate" in output and "resumed" not in output

    output = _ingest(str(folder), "--user", "ingester")
    assert "2 duplicate, 1 resumed" in output
    video.refresh_from_db()
    assert video.pipeline_queued_at != video.pipeline_requested_at  # handed to the task queue


def test_a_caption_file_too_large_to_be_one_is_not_read_and_a_nul_in_json_is_dropped(
    owner, tmp_path
):
    root = tmp_path / "in"
    make_clip(root / "big_caption.mp4", audio=None)
    with (root / "big_caption.txt").open("wb") as handle:
        handle.truncate(3 * 2**30)  # sparse: 3 GB of NULs on no disk, read whole before
    make_webm(root / "nul.webm", audio=None)
    (root / "nul.json").write_text('{"caption": "my cat \\u0000 jumps \\ud800"}')

    output = _ingest(str(root), "--user", "ingester")

    captions = dict(Video.objects.values_list("original_filename", "caption"))
    assert captions == {"big_caption.mp4": "big caption", "nul.webm": "my cat  jumps \ufffd"}
    assert "2 created" in output
