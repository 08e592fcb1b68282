"""Tagging reads: the tag list with counts, one tag, the tag a page slug means, a tag's videos."""

from __future__ import annotations

import re
from typing import Any

from django.core.cache import cache
from django.db.models import Count, FloatField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce

from tagging.hashtags import hashtag_key
from tagging.models import Tag, VideoTag
from tiktok.errors import NotFound
from videos.models import Video
from videos.visibility import visible_videos


def _public_video_ids() -> QuerySet[Video]:
    """The videos anyone may see (the counts are the same for every viewer): ready, public, of
    public accounts, not hidden by moderation (videos.visibility)."""
    return visible_videos(viewer=None).values("pk")


TAG_COUNTS_CACHE_KEY = "tagging:video-counts"
# Counting every tag's videos reads the whole VideoTag table (about half a second at 100,000
# videos), so the list's counts are shared through the cache for this long.
TAG_COUNTS_CACHE_SECONDS = 60


def tag_video_counts() -> dict[int, int]:
    """Videos anyone may see per tag id, at most TAG_COUNTS_CACHE_SECONDS old."""
    counts = cache.get(TAG_COUNTS_CACHE_KEY)
    if counts is None:
        counts = dict(
            VideoTag.objects.filter(video__in=_public_video_ids())
            .values("tag_id")
            .annotate(videos=Count("video_id", distinct=True))
            .values_list("tag_id", "videos")
        )
        cache.set(TAG_COUNTS_CACHE_KEY, counts, TAG_COUNTS_CACHE_SECONDS)
    return counts


def tag_list(*, category: str | None = None) -> list[Tag]:
    """Active tags with `video_count` (videos anyone may see, counted at most a minute ago),
    ordered by category then name."""
    tags = Tag.objects.filter(is_active=True).select_related("category")
    if category:
        tags = tags.filter(category__slug=category)
    counts = tag_video_counts()
    result = list(tags.order_by("category__name", "name"))
    for tag in result:
        tag.video_count = counts.get(tag.pk, 0)
    return result


def tag_active(*, slug: str) -> Tag:
    """An active tag; NotFound when unknown or inactive."""
    tag = Tag.objects.filter(is_active=True, slug=slug).select_related("category").first()
    if tag is None:
        raise NotFound(f"no tag {slug!r}")
    return tag


def tag_get(*, slug: str) -> Tag:
    """An active tag with its phrases and `video_count` (counted now); NotFound when unknown or
    inactive."""
    tag = tag_active(slug=slug)
    # A semi-join from the tag's rows. As a COUNT(...) FILTER (WHERE video IN (public videos))
    # PostgreSQL ran the subquery as a plan of its own, rescanning the videos once per tagged
    # video once their ids outgrew work_mem (5 s for 200 videos at 300,000; minutes for a tag
    # on 100,000).
    tag.video_count = VideoTag.objects.filter(tag=tag, video__in=_public_video_ids()).count()
    tag.phrase_texts = sorted(tag.phrases.values_list("text", flat=True))
    return tag


def tag_for_slug(slug: str) -> Tag | None:
    """The active tag a /tag/<slug> link means: its slug, or a hashtag spelling of it
    (#CuteCat and #cute_cat both mean the tag cute-cat)."""
    tag = Tag.objects.filter(slug=slug.lower(), is_active=True).first()
    if tag is not None:
        return tag
    key = hashtag_key(slug)
    for candidate in Tag.objects.filter(is_active=True).only("id", "slug", "name"):
        if hashtag_key(candidate.slug) == key:
            return candidate
    return None


# Best score first, then newest: creators' own tags all score 0.0, so ties are common.
TAG_VIDEOS_ORDERING = ("-tag_score", "-tag_recency", "-id")


def tag_videos(*, tag: Tag, viewer: Any = None) -> QuerySet[Video]:
    """Videos carrying the tag that the viewer may see, annotated with `tag_score` and
    `tag_recency` (when published, else made: never null, so a row comparison keeps every row);
    order them by TAG_VIDEOS_ORDERING (the tag page's keyset)."""
    score = VideoTag.objects.filter(video=OuterRef("pk"), tag=tag).values("score")[:1]
    return (
        visible_videos(viewer=viewer)
        .filter(video_tags__tag=tag)
        .annotate(
            tag_score=Subquery(score, output_field=FloatField()),
            tag_recency=Coalesce("published_at", "created_at"),
        )
        .select_related("owner")
    )


def hashtag_or_tag_videos(*, word: str, tag: Tag | None, viewer: Any = None) -> QuerySet[Video]:
    """Videos the viewer may see that carry the tag (auto or creator) or whose caption has the
    #word hashtag, newest first (the tag page)."""
    # The caption's `#word` is looked up through the trigram index on UPPER(caption) (the
    # LIKE) and confirmed by the regex; the tag's videos through the tag's rows; the two joined
    # as one set. As a regex OR-ed with a join to the tag, under DISTINCT, the page read every
    # video on each view and again for its count (0.4-1 s at 300,000 videos).
    in_caption = Video.objects.filter(
        caption__icontains=f"#{word}",
        caption__iregex=rf"#{re.escape(word)}([^[:alnum:]_-]|$)",
    ).values("pk")
    matching = in_caption
    if tag is not None:
        tagged = VideoTag.objects.filter(tag=tag).values("video_id")
        matching = in_caption.union(tagged, all=True)  # IN ignores a video in both
    return (
        visible_videos(viewer=viewer)
        .filter(pk__in=matching)
        .order_by("-published_at", "-created_at", "-id")
    )


def hashtag_tag_link(name: str) -> dict[str, Any] | None:
    """The taxonomy tag a hashtag's page links to (`videos.selectors.hashtags` extension point):
    the tag a /tag/<name> link would mean, if any."""
    tag = tag_for_slug(name)
    if tag is None:
        return None
    return {"slug": tag.slug, "name": tag.name, "url": f"/tag/{tag.slug}"}
