"""Ingesting files that are already on disk (folder walks, downloads): dedupe, create,
enqueue, and say what happened to each file."""

from __future__ import annotations

import codecs
import json
import logging
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings

from videos.file_names import caption_from_file_name, readable_file_name
from videos.media.probe import MediaRejected, probe_media
from videos.models import Video, VideoStatus
from videos.pipeline.local import pipeline_interrupted
from videos.services.videos import (
    VIDEO_EXTENSIONS,
    file_sha256,
    video_create_from_path,
    video_find_duplicate,
)
from videos.tasks import pipeline_enqueue

logger = logging.getLogger(__name__)

CREATED = "created"
DUPLICATE = "duplicate"
RETRIED = "retried"
FAILED_BEFORE = "failed_before"
REJECTED = "rejected"
ERROR = "error"
WOULD_CREATE = "would_create"
RESUMED = "resumed"
SKIPPED = "skipped"
BUSY = "busy"
OK_OUTCOMES = {CREATED, DUPLICATE, RETRIED, RESUMED, WOULD_CREATE}

# Besides the upload extensions: what phones and cameras write in the containers uploads accept
# (3GP, AVCHD's MPEG-TS, WMV, Ogg). A .ts file is taken only when it is a transport stream.
TRANSPORT_STREAM_EXTENSIONS = (".ts", ".mts", ".m2ts")
FOLDER_VIDEO_EXTENSIONS = (
    *VIDEO_EXTENSIONS,
    ".3gp",
    ".3g2",
    ".wmv",
    ".asf",
    ".ogv",
    *TRANSPORT_STREAM_EXTENSIONS,
)
# The system's own folders on disks people copy from (Windows, macOS zips, Synology NAS).
SYSTEM_FOLDERS = frozenset(
    {
        "$recycle.bin",
        "recycler",
        "system volume information",
        "lost+found",
        "found.000",
        "__macosx",
        "@eadir",
        "#recycle",
        "#snapshot",
    }
)


@dataclass
class IngestOutcome:
    """What happened to one input (a file or a URL)."""

    source: str
    outcome: str
    video_id: int | None = None
    detail: str = ""

    @property
    def ok(self) -> bool:
        return self.outcome in OK_OUTCOMES


# Why a link in the folder is not followed (folder_walk).
LINK_LEADS_OUT = "a link leading out of the folder: not followed"


@dataclass
class FolderWalk:
    """The files a folder walk found, what it could not take (as outcomes), and the real folder
    they are all in (`within`: what their sidecars, and the files when read, must stay in)."""

    files: list[Path] = field(default_factory=list)
    skipped: list[IngestOutcome] = field(default_factory=list)
    within: Path | None = None


def path_within(folder: Path, path: Path) -> bool:
    """Whether `path`, its links followed, is inside `folder` (a real path: Path.resolve())."""
    try:
        return path.resolve().is_relative_to(folder)
    except (OSError, RuntimeError):  # a loop of links (RuntimeError before Python 3.13)
        return False


def folder_walk(root: Path, *, settle_s: float = 0.0, now: float | None = None) -> FolderWalk:
    """The video files under `root`, recursively and in a stable order, as a person sees the
    folder: hidden files and folders, and the system's own folders (a recycle bin, a NAS's
    thumbnails), are left out; a link inside the folder is followed (to a folder once: a link
    back to a folder already walked is not). A link leading out of the folder, to a video or a
    folder, is not followed: whoever can write in a drop folder could otherwise have the run
    publish any file it can read. What cannot be taken is said, not skipped in silence: a folder
    that cannot be read, a link to nothing or leading out, and a file changed less than
    `settle_s` seconds ago (it may still be being copied or recorded: a later run takes it,
    whole)."""
    root = Path(root)
    now = time.time() if now is None else now
    if root.is_file():  # the one file asked for, wherever it leads; its sidecars beside it
        return FolderWalk(files=[root], within=root.resolve().parent)
    walk = FolderWalk(within=root.resolve())
    visited: set[tuple[int, int]] = set()
    pending = [root]
    while pending:
        folder = pending.pop()
        # Checked when read, not when found: a folder replaced by a link in between is caught.
        if not path_within(walk.within, folder):
            walk.skipped.append(_skipped(root, folder, LINK_LEADS_OUT))
            continue
        try:
            status = folder.stat()
            if (status.st_dev, status.st_ino) in visited:
                continue
            visited.add((status.st_dev, status.st_ino))
            with os.scandir(folder) as scan:
                entries = sorted(scan, key=lambda entry: entry.name)
        except OSError as exc:
            walk.skipped.append(_skipped(root, folder, f"cannot read this folder: {exc.strerror}"))
            continue
        for entry in entries:
            if entry.name.startswith(".") or entry.name.casefold() in SYSTEM_FOLDERS:
                continue
            path = Path(entry.path)
            try:
                if entry.is_dir():
                    pending.append(path)
                    continue
                suffix = path.suffix.lower()
                if suffix not in FOLDER_VIDEO_EXTENSIONS:
                    continue
                if not entry.is_file():
                    if entry.is_symlink() and not path.exists():
                        walk.skipped.append(_skipped(root, path, "a link to a file not there"))
                    continue
                if not path_within(walk.within, path):
                    walk.skipped.append(_skipped(root, path, LINK_LEADS_OUT))
                    continue
                if suffix in TRANSPORT_STREAM_EXTENSIONS and not _is_transport_stream(path):
                    continue  # TypeScript source, not a camera's MPEG-TS
                status = path.stat()
                # ctime too: a copy that keeps the source's time (cp -p) sets it at the end.
                age_s = now - max(status.st_mtime, status.st_ctime)
            except OSError as exc:
                walk.skipped.append(_skipped(root, path, f"cannot read it: {exc.strerror}"))
                continue
            if age_s < settle_s:
                detail = (
                    f"changed {max(age_s, 0):.0f} s ago: it may still be being written; "
                    "run again to take it"
                )
                walk.skipped.append(_skipped(root, path, detail, outcome=BUSY))
                continue
            walk.files.append(path)
    walk.files.sort()
    walk.skipped.sort(key=lambda outcome: outcome.source)
    return walk


def source_name(root: Path, path: Path) -> str:
    """How a file under `root` is named in the outcome table: its path from `root`, readable
    even when the file system's name is not UTF-8."""
    try:
        relative = str(path.relative_to(root)) if path != root else path.name
    except ValueError:
        relative = str(path)
    return readable_file_name(relative)


def _skipped(root: Path, path: Path, detail: str, *, outcome: str = SKIPPED) -> IngestOutcome:
    return IngestOutcome(source_name(root, path), outcome, detail=detail)


def _is_transport_stream(path: Path) -> bool:
    """MPEG-TS packets (188 bytes, sync byte 0x47) or a camera's M2TS (192: a 4-byte
    timestamp first), the first two packets checked."""
    try:
        with path.open("rb") as handle:
            head = handle.read(200)
    except OSError:
        return True  # said by the ingestion, which cannot read it either
    return (len(head) > 188 and head[0] == head[188] == 0x47) or (
        len(head) > 196 and head[4] == head[196] == 0x47
    )


# A caption file longer than this is no caption (a caption is at most a few KB).
MAX_SIDECAR_BYTES = 1024 * 1024


def _sidecar_text(path: Path, suffix: str, within: Path | None) -> str | None:
    """The text of `<name><suffix>` (or its upper-case suffix, as cameras write), decoded as
    Windows tools write it: a byte order mark (UTF-8 or UTF-16: Notepad's "Unicode",
    PowerShell 5's `>`), else UTF-8, else windows-1252 ("ANSI"); NULs dropped. None when there
    is none, or it cannot be read (another account's file), is over MAX_SIDECAR_BYTES, or it is
    a link leading out of `within` (a `cat.txt` linked to /proc/self/environ made the server's
    secrets a public caption): the caption then comes from the file name, and the batch goes
    on."""
    for candidate in (path.with_suffix(suffix), path.with_suffix(suffix.upper())):
        try:
            if not candidate.is_file():
                continue
            if within is not None and not path_within(within, candidate):
                logger.warning("%s leads out of %s: not read as a caption", candidate, within)
                continue
            with candidate.open("rb") as handle:
                data = handle.read(MAX_SIDECAR_BYTES + 1)
        except OSError:
            return None
        if len(data) > MAX_SIDECAR_BYTES:
            # Read whole, a 3 GB "caption" file took the worker's memory with it.
            logger.warning(
                "%s is over %d bytes: not read as a caption", candidate, MAX_SIDECAR_BYTES
            )
            return None
        if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            text = data.decode("utf-16", errors="replace")
        else:
            try:
                text = data.decode("utf-8-sig")
            except UnicodeDecodeError:
                text = data.decode("cp1252", errors="replace")
        return text.replace("\x00", "")
    return None


def caption_for_file(path: Path, *, within: Path | None = None) -> str:
    """The sidecar `<name>.txt` or `<name>.json` ("caption", else "title" + "description"),
    else the file name in words when it has any (caption_from_file_name). With `within` (a real
    folder: FolderWalk.within), a sidecar whose links lead out of it is not read."""
    text = _sidecar_text(path, ".txt", within)
    if text is not None:
        return text.strip()
    json_text = _sidecar_text(path, ".json", within)
    if json_text is not None:
        try:
            data = json.loads(json_text)
        except (ValueError, RecursionError):
            data = None
        if isinstance(data, dict):
            if data.get("caption"):
                return str(data["caption"]).strip()
            parts = [str(data[key]).strip() for key in ("title", "description") if data.get(key)]
            if parts:
                return "\n".join(parts)
    return caption_from_file_name(path.stem)


def video_ingest_file(
    *,
    owner,  # noqa: ANN001
    path: Path,
    caption: str,
    source: str | None = None,
    source_url: str = "",
    original_filename: str | None = None,
    privacy: str = "public",
    retry_failed: bool = False,
    dry_run: bool = False,
    enqueue=None,  # noqa: ANN001 - callable(video) that starts the pipeline
    planned: dict[str, str] | None = None,
    max_bytes: int | None = None,
) -> IngestOutcome:
    """Create (or find) the video for one file; never raises for a bad file. A dry run checks
    the file as the real run would (the same bytes stored already, or earlier in this run by
    `planned`: content hash -> source; the media probe) and changes nothing. A file over
    `max_bytes` is rejected before it is read (an upload's cap: a short clip padded with a
    gigabyte passes the media probe)."""
    enqueue = enqueue or (lambda video: pipeline_enqueue(video=video, claim=True))
    source = source or str(path)
    try:
        if max_bytes is not None and (size := path.stat().st_size) > max_bytes:
            return IngestOutcome(
                source,
                REJECTED,
                detail=f"{_megabytes(size)} is over the cap of {_megabytes(max_bytes)}",
            )
        content_hash = file_sha256(path)
        existing = video_find_duplicate(owner=owner, content_hash=content_hash)
        if existing is not None:
            return existing_outcome(existing, source, retry_failed, dry_run, enqueue)
        if dry_run:
            planned = {} if planned is None else planned
            if content_hash in planned:
                return IngestOutcome(
                    source, DUPLICATE, detail=f"same file as {planned[content_hash]}"
                )
            probe_media(path, max_duration_s=settings.MAX_VIDEO_DURATION_SECONDS)
            planned[content_hash] = source
            return IngestOutcome(source, WOULD_CREATE)
        video, created = video_create_from_path(
            owner=owner,
            path=path,
            caption=caption,
            privacy=privacy,
            source_url=source_url,
            original_filename=original_filename,
            content_hash=content_hash,
        )
        if not created:
            return existing_outcome(video, source, retry_failed, dry_run, enqueue)
        enqueue(video)
        return IngestOutcome(source, CREATED, video.pk)
    except MediaRejected as exc:
        return IngestOutcome(source, REJECTED, detail=str(exc))
    except Exception as exc:  # noqa: BLE001 - one bad file never stops a batch
        logger.exception("ingesting %s failed", source)
        return IngestOutcome(source, ERROR, detail=f"{type(exc).__name__}: {exc}")


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


def existing_outcome(
    video: Video,
    source: str,
    retry_failed: bool,
    dry_run: bool,
    enqueue,  # noqa: ANN001
) -> IngestOutcome:
    """What happens to an input whose video exists already: a duplicate; its processing taken up
    again when it was interrupted (an earlier run stopped before finishing it); a failed one
    reported, or processed again when asked (`retry_failed`)."""
    if pipeline_interrupted(video):
        if not dry_run:
            enqueue(video)
        return IngestOutcome(source, RESUMED, video.pk, "its processing was interrupted; resumed")
    if video.status != VideoStatus.FAILED:
        return IngestOutcome(source, DUPLICATE, video.pk, f"already ingested ({video.status})")
    if not retry_failed:
        return IngestOutcome(source, FAILED_BEFORE, video.pk, video.failure_reason)
    if not dry_run:
        enqueue(video)
    return IngestOutcome(source, RETRIED, video.pk, "failed before; processing again")
