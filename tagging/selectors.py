"""Tagging reads: the tag list with counts, one tag, a tag's videos, tags of videos for the feed."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.core.cache import cache
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.http import Http404

from tagging.models import Tag, VideoTag
from videos.models import Privacy, Video, VideoStatus

PUBLIC_READY = Q(video_tags__video__status=VideoStatus.READY) & Q(
    video_tags__video__privacy=Privacy.PUBLIC
)


TAG_COUNTS_CACHE_KEY = "tagging:video-counts"
# Counting every tag's videos reads the whole VideoTag table (about half a second at 100,000
# videos), so the list's counts are shared through the cache for this long.
TAG_COUNTS_CACHE_SECONDS = 60


def tag_video_counts() -> dict[int, int]:
    """Ready public videos per tag id, at most TAG_COUNTS_CACHE_SECONDS old."""
    counts = cache.get(TAG_COUNTS_CACHE_KEY)
    if counts is None:
        counts = dict(
            VideoTag.objects.filter(video__status=VideoStatus.READY, video__privacy=Privacy.PUBLIC)
            .values("tag_id")
            .annotate(videos=Count("video_id", distinct=True))
            .values_list("tag_id", "videos")
        )
        cache.set(TAG_COUNTS_CACHE_KEY, counts, TAG_COUNTS_CACHE_SECONDS)
    return counts


def tag_list(*, category: str | None = None) -> list[Tag]:
    """Active tags with `video_count` (ready public videos, counted at most a minute ago),
    ordered by category then name."""
    tags = Tag.objects.filter(is_active=True).select_related("category")
    if category:
        tags = tags.filter(category__slug=category)
    counts = tag_video_counts()
    result = list(tags.order_by("category__name", "name"))
    for tag in result:
        tag.video_count = counts.get(tag.pk, 0)
    return result


def tag_get(*, slug: str) -> Tag:
    """An active tag with its phrases and `video_count` (counted now); Http404 when unknown or
    inactive."""
    tag = (
        Tag.objects.filter(is_active=True, slug=slug)
        .select_related("category")
        .prefetch_related("phrases")
        .annotate(video_count=Count("video_tags", filter=PUBLIC_READY, distinct=True))
        .first()
    )
    if tag is None:
        raise Http404(f"no tag {slug!r}")
    return tag


def tag_videos(*, tag: Tag, viewer=None) -> QuerySet[Video]:  # noqa: ANN001
    """Videos carrying the tag that the viewer may see, annotated with `tag_score`; order them
    by -tag_score, -published_at, -id (the tag page's cursor ordering)."""
    from videos.visibility import visible_videos

    score = VideoTag.objects.filter(video=OuterRef("pk"), tag=tag).values("score")[:1]
    return (
        visible_videos(viewer=viewer)
        .filter(video_tags__tag=tag)
        .annotate(tag_score=Subquery(score))
        .select_related("owner")
    )


def tag_slugs_for_videos(*, video_ids: Iterable[int], limit: int = 3) -> dict[int, list[str]]:
    """The top `limit` active tag slugs of each video by rank (videos without tags are absent)."""
    slugs: dict[int, list[str]] = defaultdict(list)
    rows = (
        VideoTag.objects.filter(video_id__in=list(video_ids), tag__is_active=True)
        .order_by("video_id", "rank", "-confidence")
        .values_list("video_id", "tag__slug")
    )
    for video_id, slug in rows:
        if len(slugs[video_id]) < limit:
            slugs[video_id].append(slug)
    return dict(slugs)


def tags_for_videos(*, video_ids: Iterable[int]) -> dict[int, list[VideoTag]]:
    """Every active VideoTag (with its tag) of each video, best rank first."""
    tags: dict[int, list[VideoTag]] = defaultdict(list)
    for video_tag in (
        VideoTag.objects.filter(video_id__in=list(video_ids), tag__is_active=True)
        .select_related("tag")
        .order_by("video_id", "rank")
    ):
        tags[video_tag.video_id].append(video_tag)
    return dict(tags)
