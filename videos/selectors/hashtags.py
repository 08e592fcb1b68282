"""A hashtag as viewers see it: its header (name, count, related hashtags, a linked taxonomy tag)
and its videos, only those the viewer may see.

The taxonomy lives in the tagging app above videos: it links a hashtag to its tag through
`hashtag_link_register` (an extension point like `videos.cards.card_field_register`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.db import connection
from django.db.models import QuerySet

from tiktok.db.sql import table
from tiktok.errors import InvalidInput, NotFound
from videos.hashtags import hashtag_name_normalize
from videos.models import Hashtag, Video, VideoHashtag
from videos.visibility import hashtag_public_sql, visible_videos, visible_where

HASHTAG_SORTS = ("popular", "new")
# Orderings of a hashtag's videos (keyset pages: every column descends, id last so pages never
# overlap); popular walks videos_video_popular_idx.
HASHTAG_SORT_ORDERING = {
    "popular": ("-like_count", "-id"),
    "new": ("-created_at", "-id"),
}

# name -> what a higher app links to the hashtag (e.g. the taxonomy tag), or None.
HashtagLink = Callable[[str], dict[str, Any] | None]
_links: dict[str, HashtagLink] = {}


def hashtag_link_register(key: str, link: HashtagLink) -> None:
    """Add (or replace) a link on every hashtag header, under `key`; called from an app's
    AppConfig.ready()."""
    _links[key] = link


def hashtag_url(name: str) -> str:
    """The hashtag's page (the name percent-encoded as UTF-8)."""
    return f"/hashtag/{quote(name, safe='')}"


def hashtag_for_name(*, name: str) -> Hashtag:
    """The hashtag a URL names, however it was spelled (`Straße`, `STRASSE`, `%23strasse`):
    InvalidInput when it cannot be a hashtag, NotFound when no video ever carried it."""
    normalized = hashtag_name_normalize(name)
    if normalized is None:
        raise InvalidInput(
            "a hashtag is letters, digits and underscores (at least one letter), "
            f"at most {Hashtag._meta.get_field('name').max_length} characters",
            code="invalid_hashtag",
        )
    hashtag = Hashtag.objects.filter(name=normalized).first()
    if hashtag is None:
        raise NotFound(f"no videos with #{normalized}", code="hashtag_not_found")
    return hashtag


def public_hashtags() -> QuerySet[Hashtag]:
    """Hashtags that may be named to anyone: a video anyone may see carries them (a hashtag
    only private or hidden videos carry answers 404 on its page)."""
    return Hashtag.objects.extra(where=[hashtag_public_sql(table(Hashtag))])  # noqa: S610 - no user input


def hashtag_videos(*, hashtag: Hashtag, viewer: Any) -> QuerySet[Video]:
    """The hashtag's videos this viewer may see (unordered: callers sort)."""
    tagged = VideoHashtag.objects.filter(hashtag=hashtag).values("video_id")
    return visible_videos(viewer=viewer).filter(pk__in=tagged)


def hashtag_sort_check(sort: str | None) -> str:
    sort = sort or "popular"
    if sort not in HASHTAG_SORTS:
        raise InvalidInput(
            f"sort must be one of {', '.join(HASHTAG_SORTS)}",
            code="invalid_sort",
            fields={"sort": [f"unknown sort {sort[:40]!r}"]},
        )
    return sort


def _sample_sql(visible: str) -> str:
    """The hashtag's most recently tagged videos the viewer may see (index order on
    (hashtag, -created_at), stopping at the limit)."""
    videos = table(Video)
    return (
        f"SELECT vh.video_id FROM {table(VideoHashtag)} vh "
        f"JOIN {videos} ON {videos}.id = vh.video_id "
        f"WHERE vh.hashtag_id = %s AND ({visible}) "
        "ORDER BY vh.created_at DESC LIMIT %s"
    )


def hashtag_related(*, hashtag: Hashtag, viewer: Any, limit: int) -> list[dict[str, Any]]:
    """Hashtags that most often share a video with this one, counted over its latest
    HASHTAG_RELATED_SAMPLE_VIDEOS videos the viewer may see (so a private video's hashtags
    never show to others): [{name, url, shared}], most shared first."""
    visible, params = visible_where(viewer=viewer)
    sql = (
        f"WITH sample AS ({_sample_sql(visible)}) "
        f"SELECT h.name, count(*) AS shared FROM sample s "
        f"JOIN {table(VideoHashtag)} o ON o.video_id = s.video_id AND o.hashtag_id <> %s "
        f"JOIN {table(Hashtag)} h ON h.id = o.hashtag_id "
        "GROUP BY h.name ORDER BY shared DESC, h.name LIMIT %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            sql,
            [
                hashtag.pk,
                *params,
                settings.HASHTAG_RELATED_SAMPLE_VIDEOS,
                hashtag.pk,
                limit,
            ],
        )
        rows = cursor.fetchall()
    return [{"name": name, "url": hashtag_url(name), "shared": shared} for name, shared in rows]


def hashtag_page(*, name: str, viewer: Any) -> dict[str, Any]:
    """The hashtag's header for this viewer: 404 also when the viewer may see none of its
    videos (a hashtag only private videos carry does not exist for others).

    `video_count` counts the videos anyone may see carrying it (the stored counter, so a
    private video's existence is not told); `related` and the videos themselves only cover what
    the viewer may see; `links` holds what higher apps link to it (the taxonomy's tag)."""
    hashtag = hashtag_for_name(name=name)
    related = hashtag_related(hashtag=hashtag, viewer=viewer, limit=settings.HASHTAG_RELATED_MAX)
    if not related and not hashtag_videos(hashtag=hashtag, viewer=viewer).exists():
        raise NotFound(f"no videos with #{hashtag.name}", code="hashtag_not_found")
    return {
        "name": hashtag.name,
        "url": hashtag_url(hashtag.name),
        "video_count": hashtag.video_count,
        "last_used_at": hashtag.last_used_at.isoformat() if hashtag.last_used_at else None,
        "related": related,
        "links": {key: link(hashtag.name) for key, link in _links.items()},
    }
