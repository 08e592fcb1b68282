"""Near-duplicate detection by look: a re-encoded, resized or cropped copy of an earlier video has
different bytes (so the SHA-256 dedupe misses it) but looks the same and lasts as long."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.db import connection

from tiktok.db.sql import vector_literal
from videos.models import Video, VideoEmbedding, VideoStatus


@dataclass(frozen=True)
class LookAlike:
    video_id: int  # the original (the earliest video of the group)
    similarity: float


def duration_window(duration_s: float) -> tuple[float, float]:
    """Durations a copy of a video of `duration_s` seconds may have (re-encoding shifts the
    last frame by a fraction of a second; trimming more makes another video)."""
    slack = max(
        settings.DUPLICATE_DURATION_TOLERANCE_SECONDS,
        settings.DUPLICATE_DURATION_TOLERANCE_SHARE * duration_s,
    )
    return max(0.0, duration_s - slack), duration_s + slack


def look_alike_find(*, video: Video, look_version: str, look: Sequence[float]) -> LookAlike | None:
    """The earlier video (not failed) that looks most like `video`, if it is similar enough."""
    if not look_version or not look or video.duration_s is None:
        return None
    low, high = duration_window(video.duration_s)
    quote = connection.ops.quote_name
    embeddings, videos = quote(VideoEmbedding._meta.db_table), quote(Video._meta.db_table)
    literal = vector_literal(look)
    sql = (
        f"SELECT e.video_id, v.duplicate_of_id, 1 - (e.look <=> %s::vector) AS similarity "
        f"FROM {embeddings} e JOIN {videos} v ON v.id = e.video_id "
        f"WHERE e.look_version = %s AND e.look IS NOT NULL AND e.video_id < %s "
        f"AND v.status <> %s AND v.duration_s BETWEEN %s AND %s "
        f"ORDER BY e.look <=> %s::vector LIMIT 1"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            sql, [literal, look_version, video.pk, VideoStatus.FAILED, low, high, literal]
        )
        row = cursor.fetchone()
    if row is None or row[2] < settings.DUPLICATE_LOOK_MIN_SIMILARITY:
        return None
    matched, matched_original, similarity = row
    return LookAlike(video_id=matched_original or matched, similarity=float(similarity))


def duplicate_mark(*, video: Video, look_version: str, look: Sequence[float] | None) -> int | None:
    """Record which earlier video `video` is a copy of (or that it is none); return its id."""
    found = look_alike_find(video=video, look_version=look_version, look=look or [])
    original = found.video_id if found else None
    if video.duplicate_of_id != original:
        Video.objects.filter(pk=video.pk).update(duplicate_of=original)
        video.duplicate_of_id = original
    return original
