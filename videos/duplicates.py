"""Near-duplicate detection by look: a re-encoded, resized or cropped copy of an earlier video has
different bytes (so the SHA-256 dedupe misses it) but looks the same and lasts as long."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction

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


# Advisory lock class of find-and-mark (one lock per look version: hashtext of the version).
DUPLICATE_MARK_LOCK_CLASS = 0x44555053  # "DUPS"
# Later look-alikes an original takes as its copies at most, nearest first (the rows a mark
# loads and updates stay bounded whatever a look version's near-identical uploads number).
LATER_COPIES_MAX = 50


def _look_alikes_sql(*, later: bool, limit: int | None) -> str:
    """Videos (not failed, of a like duration) with a look of this version, earlier or later
    than the video, most alike first; a later one only if similar enough to be a copy."""
    quote = connection.ops.quote_name
    embeddings, videos = quote(VideoEmbedding._meta.db_table), quote(Video._meta.db_table)
    side = "e.video_id > %s AND 1 - (e.look <=> %s::vector) >= %s" if later else "e.video_id < %s"
    return (
        f"SELECT e.video_id, v.duplicate_of_id, 1 - (e.look <=> %s::vector) AS similarity "
        f"FROM {embeddings} e JOIN {videos} v ON v.id = e.video_id "
        f"WHERE e.look_version = %s AND e.look IS NOT NULL AND {side} "
        f"AND v.status <> %s AND v.duration_s BETWEEN %s AND %s "
        f"ORDER BY e.look <=> %s::vector" + (f" LIMIT {int(limit)}" if limit else "")
    )


def _look_alikes(
    *, video: Video, look_version: str, look: Sequence[float], later: bool, limit: int | None
) -> list[tuple[int, int | None, float]]:
    low, high = duration_window(video.duration_s)
    literal = vector_literal(look)
    side = [video.pk, literal, settings.DUPLICATE_LOOK_MIN_SIMILARITY] if later else [video.pk]
    with connection.cursor() as cursor:
        cursor.execute(
            _look_alikes_sql(later=later, limit=limit),
            [literal, look_version, *side, VideoStatus.FAILED, low, high, literal],
        )
        return cursor.fetchall()


def look_alike_find(*, video: Video, look_version: str, look: Sequence[float]) -> LookAlike | None:
    """The earlier video (not failed) that looks most like `video`, if it is similar enough."""
    if not look_version or not look or video.duration_s is None:
        return None
    rows = _look_alikes(video=video, look_version=look_version, look=look, later=False, limit=1)
    if not rows or rows[0][2] < settings.DUPLICATE_LOOK_MIN_SIMILARITY:
        return None
    matched, matched_original, similarity = rows[0]
    return LookAlike(video_id=matched_original or matched, similarity=float(similarity))


@transaction.atomic
def duplicate_mark(*, video: Video, look_version: str, look: Sequence[float] | None) -> int | None:
    """Record which earlier video `video` is a copy of (or that it is none); return its id. When
    it is an original, later look-alikes that embedded before it (a longer transcode, an embedder
    retry) become copies of it, as do their own copies. Serialised per look version, so two
    copies embedding at once never both pass as originals."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(%s, hashtext(%s))",
            [DUPLICATE_MARK_LOCK_CLASS, look_version],
        )
    found = look_alike_find(video=video, look_version=look_version, look=look or [])
    original = found.video_id if found else None
    if video.duplicate_of_id != original:
        Video.objects.filter(pk=video.pk).update(duplicate_of=original)
        video.duplicate_of_id = original
    if original is None and look_version and look and video.duration_s is not None:
        later = [
            matched
            for matched, _, _ in _look_alikes(
                video=video,
                look_version=look_version,
                look=look,
                later=True,
                limit=LATER_COPIES_MAX,
            )
        ]
        if later:
            Video.objects.filter(pk__in=later).update(duplicate_of=video.pk)
            Video.objects.filter(duplicate_of__in=later).update(duplicate_of=video.pk)
    return original
