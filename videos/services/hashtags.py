"""A video's hashtags follow its caption: every caption writer calls `video_hashtags_sync`.

The Hashtag row of each name is created on first use; VideoHashtag rows are added and removed to
match the caption; `Hashtag.video_count` and `last_used_at` follow from the VideoHashtag rows of
videos anyone may see through database triggers (migration videos/0013_public_counts), so a
video deleted, made private, hidden or published by any path (its owner, a CASCADE from a
deleted account, moderation, the admin) moves its hashtags' counts too.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.db import connection, transaction

from tiktok.db.sql import table
from videos.hashtags import hashtags_parse
from videos.models import Hashtag, Video, VideoHashtag

BACKFILL_BATCH = 1000


def caption_hashtags(caption: str) -> list[str]:
    """The hashtag names a caption stores (at most HASHTAGS_PER_CAPTION_MAX)."""
    return hashtags_parse(caption, limit=settings.HASHTAGS_PER_CAPTION_MAX)


def _hashtag_ids(names: list[str]) -> list[int]:
    """Ids of the Hashtag rows of these names, created when missing (in name order, so
    concurrent writers take the rows' locks in one order)."""
    if not names:
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table(Hashtag)} (name, video_count, created_at) "
            "SELECT n, 0, now() FROM unnest(%s::text[]) AS n ORDER BY n "
            "ON CONFLICT (name) DO NOTHING",
            [sorted(names)],
        )
    return list(Hashtag.objects.filter(name__in=names).values_list("id", flat=True))


@transaction.atomic
def video_hashtags_sync(*, video: Video) -> list[str]:
    """Make the video's hashtags those of its caption (as stored in the database); returns
    their names. The video's row is locked, so two edits of one caption apply one after the
    other; a deleted video has none."""
    caption = (
        Video.objects.select_for_update().filter(pk=video.pk).values_list("caption", flat=True)
    ).first()
    if caption is None:
        return []
    names = caption_hashtags(caption)
    wanted = set(_hashtag_ids(names))
    current = set(
        VideoHashtag.objects.filter(video_id=video.pk).values_list("hashtag_id", flat=True)
    )
    gone = sorted(current - wanted)
    added = sorted(wanted - current)
    # The count triggers lock each hashtag row a change touches, the removed ones first: two
    # edits trading #a for #b and #b for #a each held one and waited for the other (a
    # deadlock, one edit answered 500). Every row involved is locked first, in id order.
    list(
        Hashtag.objects.select_for_update(no_key=True)
        .filter(pk__in=gone + added)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if gone:
        VideoHashtag.objects.filter(video_id=video.pk, hashtag_id__in=gone).delete()
    if added:
        VideoHashtag.objects.bulk_create(
            [VideoHashtag(video_id=video.pk, hashtag_id=hashtag_id) for hashtag_id in added],
            ignore_conflicts=True,
        )
    return names


def hashtags_backfill(
    *, video_ids: list[int] | None = None, progress: Callable[[int], None] | None = None
) -> int:
    """Sync the hashtags of every video (or of these), in batches of BACKFILL_BATCH, each in
    its own transaction; returns how many videos were synced. Safe to run again."""
    queryset = Video.objects.order_by("pk")
    if video_ids is not None:
        queryset = queryset.filter(pk__in=video_ids)
    done = 0
    last = 0
    while True:
        batch = list(queryset.filter(pk__gt=last).values_list("pk", flat=True)[:BACKFILL_BATCH])
        if not batch:
            return done
        with transaction.atomic():
            for video_id in batch:
                video_hashtags_sync(video=Video(pk=video_id))
        done += len(batch)
        last = batch[-1]
        if progress is not None:
            progress(len(batch))
