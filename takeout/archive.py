"""Writing a person's data archive: one zip of a README, a JSON file per section (written as
it is read, so a long history is never held in memory) and the stored files the sections name
(videos, sounds, avatar), streamed from the media store in 1 MB chunks: no file is ever held
whole in memory, and the disk the archive is written to keeps TAKEOUT_MIN_FREE_DISK_BYTES free
(the pipeline's transcodes share it)."""

from __future__ import annotations

import json
import shutil
import zipfile
from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder

from discover.personal_data import personal_data as discover_data
from feed.personal_data import personal_data as feed_data
from moderation.personal_data import personal_data as moderation_data
from notifications.personal_data import personal_data as notifications_data
from profiles.models import User
from profiles.personal_data import personal_data as profiles_data
from sounds.personal_data import personal_data as sounds_data
from studio.personal_data import personal_data as studio_data
from tiktok.personal_data import Section
from tiktok.storage import storage_read_range, storage_stat
from videos.personal_data import personal_data as videos_data

# Every app that stores something about a person, in the order the README lists them.
SOURCES: tuple[Callable[[User], list[Section]], ...] = (
    profiles_data,
    videos_data,
    sounds_data,
    feed_data,
    discover_data,
    studio_data,
    moderation_data,
    notifications_data,
)
COPY_CHUNK_BYTES = 1 << 20
# Already compressed: stored as they are (deflating them costs time and saves nothing).
STORED_SUFFIXES = (
    ".mp4",
    ".mov",
    ".m4v",
    ".webm",
    ".mkv",
    ".jpg",
    ".jpeg",
    ".png",
    ".webp",
    ".gif",
    ".avif",
    ".m4a",
    ".mp3",
    ".ogg",
    ".opus",
)


def sections_for(user: User) -> list[Section]:
    return [section for source in SOURCES for section in source(user)]


def _write_array(out: BinaryIO, rows: Iterable[dict[str, Any]]) -> int:
    count = 0
    out.write(b"[")
    for row in rows:
        out.write(b",\n  " if count else b"\n  ")
        out.write(json.dumps(row, cls=DjangoJSONEncoder, ensure_ascii=False).encode())
        count += 1
    out.write(b"\n]\n" if count else b"]\n")
    return count


class ArchiveTooLarge(Exception):
    """Copying the next file would leave less than TAKEOUT_MIN_FREE_DISK_BYTES free."""


def _copy_stored(archive: zipfile.ZipFile, folder: Path, path: str, stored_name: str) -> bool:
    """Copy one stored file into the archive; False when the store no longer has it."""
    stored = storage_stat(stored_name)
    if stored is None:
        return False
    if shutil.disk_usage(folder).free - stored.size < settings.TAKEOUT_MIN_FREE_DISK_BYTES:
        raise ArchiveTooLarge(path)
    info = zipfile.ZipInfo(path, date_time=datetime.now().timetuple()[:6])
    info.compress_type = (
        zipfile.ZIP_STORED if path.lower().endswith(STORED_SUFFIXES) else zipfile.ZIP_DEFLATED
    )
    with archive.open(info, "w", force_zip64=True) as target:
        if stored.size:
            for chunk in storage_read_range(stored_name, 0, stored.size - 1, COPY_CHUNK_BYTES):
                target.write(chunk)
    return True


def archive_write(*, user: User, target: Path, made_at: datetime) -> dict[str, int]:
    """Write the user's archive to `target`; returns how many records each section holds."""
    counts: dict[str, int] = {}
    missing: list[str] = []
    readme = [
        f"Your data from this site, for the account @{user.username}, as of {made_at.isoformat()}.",
        "",
        "Each .json file is a list of records (UTF-8 JSON; times in ISO 8601, UTC):",
        "",
    ]
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True) as zf:
        for section in sections_for(user):
            name = f"{section.name}.json"
            with zf.open(name, "w", force_zip64=True) as out:
                counts[section.name] = _write_array(out, section.rows)
            readme.append(f"- {name} ({counts[section.name]}): {section.about}")
            for path, stored_name in section.files:
                if not _copy_stored(zf, target.parent, path, stored_name):
                    missing.append(path)
        if missing:
            readme += ["", "Files the media store no longer had when this was made:", ""]
            readme += [f"- {path}" for path in missing]
        zf.writestr("README.txt", "\n".join(readme) + "\n")
    return counts
