"""What `ingest_folder` finds in a folder as people fill them: phone and camera formats,
system folders, links, folders it cannot read, files still being written, names that are not
UTF-8 (videos.services.ingest.folder_walk; no database)."""

from __future__ import annotations

import multiprocessing
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.media import make_clip
from videos.services.ingest import BUSY, LINK_LEADS_OUT, SKIPPED, folder_walk, source_name


def _names(root: Path, files: list[Path]) -> list[str]:
    return [str(path.relative_to(root)) for path in files]


def test_phone_and_camera_formats_are_found_and_typescript_is_not(tmp_path: Path):
    make_clip(tmp_path / "PRIVATE/AVCHD/BDMV/STREAM/00001.MTS", container_format="mpegts")
    make_clip(tmp_path / "old_phone.3gp", container_format="3gp", audio=None, seconds=0.5)
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "index.ts").write_text("export const answer: number = 42;\n" * 20)
    (tmp_path / "src" / "types.mts").write_text("export type Id = string;\n" * 20)

    walk = folder_walk(tmp_path)

    assert _names(tmp_path, walk.files) == [
        "PRIVATE/AVCHD/BDMV/STREAM/00001.MTS",
        "old_phone.3gp",
    ]
    assert walk.skipped == []


def test_hidden_and_system_folders_are_left_out_and_linked_folders_are_walked_once(
    tmp_path: Path,
):
    root = tmp_path / "in"
    make_clip(root / "beach.mp4", audio=None, seconds=0.5)
    for junk in ("$RECYCLE.BIN/S-1-5-21/$R1.mp4", "@eaDir/beach.mp4/SYNOVIDEO.mp4", ".cache/a.mp4"):
        (root / junk).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(root / "beach.mp4", root / junk)
    make_clip(root / "2024" / "dogs.mp4", audio=None, seconds=0.5)
    (root / "2024" / "back").symlink_to(root)  # a loop: walked once
    (root / "gone.mp4").symlink_to(tmp_path / "deleted.mp4")

    walk = folder_walk(root)

    assert _names(root, walk.files) == ["2024/dogs.mp4", "beach.mp4"]
    assert [(o.source, o.outcome, o.detail) for o in walk.skipped] == [
        ("gone.mp4", SKIPPED, "a link to a file not there")
    ]


def test_links_leading_out_of_the_folder_are_not_followed(tmp_path: Path):
    # Whoever can write in a drop folder links what the run can read and they cannot.
    elsewhere = tmp_path / "elsewhere"
    make_clip(elsewhere / "private.mp4", audio=None, seconds=0.5)
    root = tmp_path / "in"
    make_clip(root / "beach.mp4", audio=None, seconds=0.5)
    (root / "innocent.mp4").symlink_to(elsewhere / "private.mp4")
    (root / "linked").symlink_to(elsewhere)
    (root / "same_beach.mp4").symlink_to(root / "beach.mp4")  # inside: taken

    walk = folder_walk(root)

    assert _names(root, walk.files) == ["beach.mp4", "same_beach.mp4"]
    assert [(o.source, o.outcome, o.detail) for o in walk.skipped] == [
        ("innocent.mp4", SKIPPED, LINK_LEADS_OUT),
        ("linked", SKIPPED, LINK_LEADS_OUT),
    ]


def test_a_file_changed_within_the_settle_time_is_busy_not_taken(tmp_path: Path):
    make_clip(tmp_path / "recording.mkv", container_format="matroska", audio=None)

    walk = folder_walk(tmp_path, settle_s=30)
    assert walk.files == []
    [busy] = walk.skipped
    assert (busy.source, busy.outcome) == ("recording.mkv", BUSY)
    assert "may still be being written" in busy.detail

    later = folder_walk(tmp_path, settle_s=30, now=time.time() + 31)
    assert _names(tmp_path, later.files) == ["recording.mkv"]
    assert later.skipped == []


def test_a_name_that_is_not_utf8_is_read_as_windows_1252(tmp_path: Path):
    make_clip(Path(os.fsdecode(bytes(tmp_path) + b"/f\xeate.mp4")), audio=None, seconds=0.5)

    walk = folder_walk(tmp_path)

    assert [source_name(tmp_path, path) for path in walk.files] == ["fête.mp4"]


@pytest.fixture
def shared_folder() -> Iterator[Path]:
    """A folder another account can reach (pytest's own temporary folders are the owner's)."""
    root = Path(tempfile.mkdtemp(prefix="walk-"))
    root.chmod(0o755)
    try:
        yield root
    finally:
        for folder in root.rglob("*"):
            if folder.is_dir():
                folder.chmod(0o755)
        shutil.rmtree(root)


def _walk_as_another_account(root: Path, answers) -> None:  # noqa: ANN001
    if os.getuid() == 0:  # root reads every folder: become nobody, as a service account would
        os.setgid(65534)
        os.setuid(65534)
    walk = folder_walk(root)
    answers.send(
        ([str(p) for p in walk.files], [(o.source, o.outcome, o.detail) for o in walk.skipped])
    )


def test_a_folder_that_cannot_be_read_is_a_row_not_a_silence(shared_folder: Path):
    make_clip(shared_folder / "open" / "a.mp4", audio=None, seconds=0.5)
    make_clip(shared_folder / "locked" / "b.mp4", audio=None, seconds=0.5)
    for path in shared_folder.rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)
    (shared_folder / "locked").chmod(0)

    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=_walk_as_another_account, args=(shared_folder, send))
    child.start()
    files, skipped = receive.recv()
    child.join()

    assert files == [str(shared_folder / "open" / "a.mp4")]
    assert skipped == [("locked", SKIPPED, "cannot read this folder: Permission denied")]
