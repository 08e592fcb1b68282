"""Ingesting files that are already on disk (folder walks, downloads): dedupe, create,
enqueue, and say what happened to each file."""

from __future__ import annotations

import codecs
import json
import logging
from dataclasses import dataclass
from pathlib import Path

from videos.file_names import caption_from_file_name
from videos.media.probe import MediaRejected
from videos.models import Video, VideoStatus
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
OK_OUTCOMES = {CREATED, DUPLICATE, RETRIED, WOULD_CREATE}


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


def video_files(root: Path) -> list[Path]:
    """Video files under `root` (recursive, hidden folders skipped), in a stable order."""
    root = Path(root)
    if root.is_file():
        return [root]
    found = []
    for path in root.rglob("*"):
        relative = path.relative_to(root)
        if any(part.startswith(".") for part in relative.parts):
            continue
        if path.is_file() and path.suffix.lower() in VIDEO_EXTENSIONS:
            found.append(path)
    return sorted(found)


def _sidecar_text(path: Path, suffix: str) -> str | None:
    """The text of `<name><suffix>` (or its upper-case suffix, as cameras write), decoded as
    Windows tools write it: a byte order mark (UTF-8 or UTF-16: Notepad's "Unicode",
    PowerShell 5's `>`), else UTF-8, else windows-1252 ("ANSI"); NULs dropped. None when there
    is none, or it cannot be read (another account's file): the caption then comes from the
    file name, and the batch goes on."""
    for candidate in (path.with_suffix(suffix), path.with_suffix(suffix.upper())):
        try:
            if not candidate.is_file():
                continue
            data = candidate.read_bytes()
        except OSError:
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


def caption_for_file(path: Path) -> str:
    """The sidecar `<name>.txt` or `<name>.json` ("caption", else "title" + "description"),
    else the file name in words when it has any (caption_from_file_name)."""
    text = _sidecar_text(path, ".txt")
    if text is not None:
        return text.strip()
    json_text = _sidecar_text(path, ".json")
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
) -> IngestOutcome:
    """Create (or find) the video for one file; never raises for a bad file."""
    enqueue = enqueue or (lambda video: pipeline_enqueue(video=video))
    source = source or str(path)
    try:
        content_hash = file_sha256(path)
        existing = video_find_duplicate(owner=owner, content_hash=content_hash)
        if existing is not None:
            return _existing_outcome(existing, source, retry_failed, dry_run, enqueue)
        if dry_run:
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
            return _existing_outcome(video, source, retry_failed, dry_run, enqueue)
        enqueue(video)
        return IngestOutcome(source, CREATED, video.pk)
    except MediaRejected as exc:
        return IngestOutcome(source, REJECTED, detail=str(exc))
    except Exception as exc:  # noqa: BLE001 - one bad file never stops a batch
        logger.exception("ingesting %s failed", source)
        return IngestOutcome(source, ERROR, detail=f"{type(exc).__name__}: {exc}")


def _existing_outcome(
    video: Video,
    source: str,
    retry_failed: bool,
    dry_run: bool,
    enqueue,  # noqa: ANN001
) -> IngestOutcome:
    if video.status != VideoStatus.FAILED:
        return IngestOutcome(source, DUPLICATE, video.pk, f"already ingested ({video.status})")
    if not retry_failed:
        return IngestOutcome(source, FAILED_BEFORE, video.pk, video.failure_reason)
    if not dry_run:
        enqueue(video)
    return IngestOutcome(source, RETRIED, video.pk, "failed before; processing again")
