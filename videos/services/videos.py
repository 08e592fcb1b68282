"""Creating a video from a file on disk (every way in ends here) and deleting one."""

from __future__ import annotations

import hashlib
import logging
import re
import unicodedata
from collections.abc import Iterable
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, connection, transaction

from sounds.models import Sound
from tiktok.db.sql import column, table
from tiktok.plain_text import found_text_clean
from tiktok.storage import storage_delete_later, storage_put
from videos.html_links import VIDEO_LINK_EXTENSIONS
from videos.media.probe import MediaInfo, probe_media
from videos.models import STEP_ORDER, PipelineStep, Privacy, Video
from videos.services.hashtags import video_hashtags_sync
from videos.services.storage import video_prefix

logger = logging.getLogger(__name__)

HASH_CHUNK_BYTES = 1024 * 1024
MAX_CAPTION_CHARS = 2200
MAX_FILENAME_CHARS = 255
VIDEO_EXTENSIONS = (*VIDEO_LINK_EXTENSIONS, ".gif")  # files ingest_folder and uploads take
# What to call the stored original when the uploaded name has no usable extension.
EXTENSION_BY_FORMAT = {
    "mov": ".mov",
    "mp4": ".mp4",
    "matroska": ".mkv",
    "webm": ".webm",
    "gif": ".gif",
    "avi": ".avi",
}


def source_url_stored(url: str) -> str:
    """The form of a source URL the video keeps (cut to the column): what a later run over the
    same page compares its links with."""
    return url[: Video._meta.get_field("source_url").max_length]


def file_sha256(path: Path) -> str:
    """Hex SHA-256 of a file, read in chunks (never the whole file in memory)."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        while chunk := handle.read(HASH_CHUNK_BYTES):
            digest.update(chunk)
    return digest.hexdigest()


def clean_filename(name: str | None) -> str:
    """A display name: the last path component, no control characters, NFC, at most 255."""
    if not name:
        return ""
    base = re.split(r"[\\/]", name)[-1]
    base = unicodedata.normalize("NFC", base)
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C").strip()
    if base in (".", ".."):
        return ""
    return base[:MAX_FILENAME_CHARS]


def stored_extension(filename: str, info: MediaInfo) -> str:
    """Extension of the stored original: the uploaded one when it is a known video type,
    else one from the probed container. Never anything taken verbatim from the user."""
    suffix = Path(filename).suffix.lower()
    if suffix in VIDEO_EXTENSIONS:
        return suffix
    for name in info.format_name.split(","):
        if name in EXTENSION_BY_FORMAT:
            return EXTENSION_BY_FORMAT[name]
    return ".video"


def video_find_duplicate(*, owner, content_hash: str) -> Video | None:  # noqa: ANN001
    return Video.objects.filter(owner=owner, content_hash=content_hash).first()


def video_create_from_path(
    *,
    owner,  # noqa: ANN001
    path: Path,
    caption: str = "",
    privacy: str = "public",
    source_url: str = "",
    original_filename: str | None = None,
    content_hash: str | None = None,
    sound: Sound | None = None,
    sound_volume: float | None = None,
) -> tuple[Video, bool]:
    """Store a local video file as a new Video (status uploaded, steps pending).

    Returns (existing, False) when this owner already has the same bytes. Raises
    MediaRejected (videos.media.probe) when the file is not a video we accept, and
    ValueError for an unknown privacy. Does not start the pipeline. With a `sound` ("use this
    sound") the pipeline lays it over the video, the video's own audio kept at `sound_volume`
    (0..1, default 0: replaced), and the sound counts one more use.
    """
    path = Path(path)
    if privacy not in Privacy.values:
        raise ValueError(f"privacy must be one of {', '.join(Privacy.values)}")
    content_hash = content_hash or file_sha256(path)
    existing = video_find_duplicate(owner=owner, content_hash=content_hash)
    if existing is not None:
        return existing, False
    info = probe_media(path, max_duration_s=settings.MAX_VIDEO_DURATION_SECONDS)
    filename = clean_filename(original_filename if original_filename is not None else path.name)
    display_w, display_h = info.display_size
    video_id = None
    try:
        with transaction.atomic():
            video = Video.objects.create(
                owner=owner,
                caption=found_text_clean(caption)[:MAX_CAPTION_CHARS],
                privacy=privacy,
                content_hash=content_hash,
                original_filename=filename,
                source_url=source_url_stored(source_url),
                duration_s=info.duration_s,
                width=display_w,
                height=display_h,
                fps=info.fps,
                has_audio=info.has_audio,
                sound=sound,
                sound_volume=(sound_volume or 0.0) if sound is not None else None,
            )
            video_id = video.pk
            name = video_prefix(video) + "original" + stored_extension(filename, info)
            video.original.name = storage_put(name, path)
            video.save(update_fields=["original"])
            PipelineStep.objects.bulk_create(
                [PipelineStep(video=video, name=step) for step in STEP_ORDER]
            )
            video_hashtags_sync(video=video)
    except IntegrityError:
        # The same owner uploaded the same bytes concurrently; theirs won.
        if video_id is not None:
            _files_forget(video)
        existing = video_find_duplicate(owner=owner, content_hash=content_hash)
        if existing is None:
            raise
        return existing, False
    except BaseException:
        if video_id is not None:
            _files_forget(video)
        raise
    return video, True


def _files_forget(video: Video) -> None:
    """Remove what a failed creation stored, in a worker (best effort: the orphan sweep finds
    the rest). Not inline: after a store that did not answer, the cleanup waited for it again
    and doubled the minutes the failed upload held its request."""
    try:
        storage_delete_later(prefixes=[video_prefix(video)])
    except Exception:  # noqa: BLE001 - the creation's own error is the one to report
        logger.warning("could not remove the files of a failed upload", exc_info=True)


@transaction.atomic
def video_delete(*, video: Video) -> None:
    """Delete the video and everything that references it; its files go once the deletion is
    committed (see videos.receivers: the same happens when a user or an admin bulk action
    deletes videos).

    The video's row is locked first: a row referencing it that another transaction is storing
    now (a viewer's watch event, a like) holds a key-share lock on it, so the deletion waits
    for that to commit and then deletes the new row with the rest. Unlocked, Django gathered the
    referencing rows, the other transaction committed one more, and deleting the video failed
    on its foreign key. Rows stored after this lock wait for the deletion and then find the
    video gone (`videos_hold`)."""
    video_id = video.pk
    Video.objects.select_for_update().filter(pk=video_id).values_list("pk").first()
    video.delete()
    logger.info("deleted video %s", video_id)


def videos_hold(video_ids: Iterable[int]) -> set[int]:
    """Those of these videos that still exist, kept from deletion until the transaction ends (a
    key-share lock: the one a foreign key check takes, so it blocks nothing but a deletion).
    Call it inside the transaction that stores rows referencing them, before storing: a video
    deleted meanwhile is simply missing here, instead of failing the whole statement on its
    foreign key."""
    ids = sorted({int(pk) for pk in video_ids})
    if not ids:
        return set()
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id FROM {table(Video)} WHERE id = ANY(%s) ORDER BY id FOR KEY SHARE", [ids]
        )
        return {row[0] for row in cursor.fetchall()}


def video_views_add(views: dict[int, int]) -> None:
    """Add plays to the public view counters (the feed's aggregates flush calls this inside its
    transaction); videos deleted meanwhile are skipped."""
    rows = sorted((int(video_id), int(n)) for video_id, n in views.items() if n)
    if not rows:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table(Video)} v SET {column(Video, 'view_count')} = "
            f"v.{column(Video, 'view_count')} + d.n "
            "FROM unnest(%s::bigint[], %s::bigint[]) AS d(id, n) WHERE v.id = d.id",
            [[video_id for video_id, _ in rows], [n for _, n in rows]],
        )
