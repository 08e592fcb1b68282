"""The video card: how a video appears in every list (feeds, profiles, tag pages, similar).

Built in bulk - one query per relation for a whole page, never one per video.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from django.db.models import IntegerField, QuerySet, Value

from profiles.models import Follow
from tagging.models import VideoTag
from videos.models import Like, Save, Video


def _url(field) -> str | None:  # noqa: ANN001 - a FieldFile
    return field.url if field else None


def video_media(video: Video) -> dict[str, Any]:
    return {
        "mp4_url": _url(video.mp4),
        "hls_url": _url(video.hls_playlist),
        "poster_url": _url(video.poster),
        "thumbnail_url": _url(video.thumbnail),
        "duration_s": video.duration_s,
        "width": video.width,
        "height": video.height,
    }


CARD_VIDEO_FIELDS = (
    "id",
    "owner_id",
    "caption",
    "privacy",
    "status",
    "created_at",
    "published_at",
    "mp4",
    "hls_playlist",
    "poster",
    "thumbnail",
    "duration_s",
    "width",
    "height",
    "view_count",
    "like_count",
    "comment_count",
    "save_count",
    "share_count",
)
CARD_OWNER_FIELDS = ("id", "username", "display_name", "avatar")


def card_videos(queryset: QuerySet[Video]) -> QuerySet[Video]:
    """The queryset narrowed to what a card shows, owner included (one query, no extra one for
    owners in `video_cards`)."""
    return queryset.select_related("owner").only(
        *CARD_VIDEO_FIELDS, *(f"owner__{name}" for name in CARD_OWNER_FIELDS)
    )


def _viewer_flags(*, viewer, ids: list[int], owner_ids: set[int]) -> tuple[set, set, set]:  # noqa: ANN001
    """(liked video ids, saved video ids, followed owner ids) of the viewer, in one query."""
    liked = Like.objects.filter(user=viewer, video_id__in=ids).values_list(
        Value(0, output_field=IntegerField()), "video_id"
    )
    saved = Save.objects.filter(user=viewer, video_id__in=ids).values_list(
        Value(1, output_field=IntegerField()), "video_id"
    )
    followed = Follow.objects.filter(follower=viewer, followee_id__in=owner_ids).values_list(
        Value(2, output_field=IntegerField()), "followee_id"
    )
    flags: tuple[set, set, set] = (set(), set(), set())
    for kind, value in liked.union(saved, followed, all=True):
        flags[kind].add(value)
    return flags


def video_cards(*, videos: Sequence[Video], viewer=None) -> list[dict[str, Any]]:  # noqa: ANN001
    """Serialise videos (owner loaded or not) for a viewer, in the given order."""
    ids = [video.pk for video in videos]
    owner_ids = {video.owner_id for video in videos}
    tags_by_video: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for video_id, slug, name, score, source in (
        VideoTag.objects.filter(video_id__in=ids, tag__is_active=True)
        .order_by("video_id", "rank", "-score")
        .values_list("video_id", "tag__slug", "tag__name", "score", "source")
    ):
        tags_by_video[video_id].append(
            {"slug": slug, "name": name, "score": round(score, 4), "source": source}
        )

    liked: set[int] = set()
    saved: set[int] = set()
    following: set[int] = set()
    if viewer is not None and getattr(viewer, "is_authenticated", False) and ids:
        liked, saved, following = _viewer_flags(viewer=viewer, ids=ids, owner_ids=owner_ids)

    from profiles.models import User

    owners = {video.owner_id: video.owner for video in videos if Video.owner.is_cached(video)}
    missing = owner_ids - set(owners)
    if missing:
        owners.update(
            (user.pk, user) for user in User.objects.filter(pk__in=missing).only(*CARD_OWNER_FIELDS)
        )
    cards = []
    for video in videos:
        owner = owners[video.owner_id]
        cards.append(
            {
                "id": video.pk,
                "caption": video.caption,
                "privacy": video.privacy,
                "status": video.status,
                "created_at": video.created_at.isoformat() if video.created_at else None,
                "published_at": video.published_at.isoformat() if video.published_at else None,
                "owner": {
                    "id": owner.pk,
                    "username": owner.username,
                    "display_name": owner.display_name or owner.username,
                    "avatar_url": _url(owner.avatar),
                },
                **video_media(video),
                "counts": {
                    "views": video.view_count,
                    "likes": video.like_count,
                    "comments": video.comment_count,
                    "saves": video.save_count,
                    "shares": video.share_count,
                },
                "viewer": {
                    "liked": video.pk in liked,
                    "saved": video.pk in saved,
                    "following_owner": owner.pk in following,
                    "is_owner": viewer is not None and getattr(viewer, "pk", None) == owner.pk,
                },
                "tags": tags_by_video.get(video.pk, []),
            }
        )
    return cards
