"""Tagging reads: the tag list with counts, one tag, a tag's videos, tags of videos for the feed."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.http import Http404

from tagging.models import Tag, VideoTag
from videos.models import Privacy, Video, VideoStatus

PUBLIC_READY = Q(video_tags__video__status=VideoStatus.READY) & Q(
    video_tags__video__privacy=Privacy.PUBLIC
)


def tag_list(*, category: str | None = None) -> QuerySet[Tag]:
    """Active tags with `video_count` (ready public videos), ordered by category then name."""
    tags = (
        Tag.objects.filter(is_active=True)
        .select_related("category")
        .annotate(video_count=Count("video_tags", filter=PUBLIC_READY, distinct=True))
        .order_by("category__name", "name")
    )
    if category:
        tags = tags.filter(category__slug=category)
    return tags


def tag_get(*, slug: str) -> Tag:
    """An active tag with its phrases and `video_count`; Http404 when unknown or inactive."""
    tag = tag_list().prefetch_related("phrases").filter(slug=slug).first()
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
