"""The video card: how a video appears in every list (feeds, profiles, tag pages, similar).

Built in bulk - one query per relation for a whole page, never one per video.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

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


def video_cards(*, videos: Sequence[Video], viewer=None) -> list[dict[str, Any]]:  # noqa: ANN001
    """Serialise videos (owner loaded or not) for a viewer, in the given order."""
    ids = [video.pk for video in videos]
    owner_ids = {video.owner_id for video in videos}
    tags_by_video: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for video_tag in (
        VideoTag.objects.filter(video_id__in=ids, tag__is_active=True)
        .select_related("tag")
        .order_by("video_id", "rank", "-score")
    ):
        tags_by_video[video_tag.video_id].append(
            {
                "slug": video_tag.tag.slug,
                "name": video_tag.tag.name,
                "score": round(video_tag.score, 4),
                "source": video_tag.source,
            }
        )

    liked: set[int] = set()
    saved: set[int] = set()
    following: set[int] = set()
    if viewer is not None and getattr(viewer, "is_authenticated", False):
        liked = set(
            Like.objects.filter(user=viewer, video_id__in=ids).values_list("video_id", flat=True)
        )
        saved = set(
            Save.objects.filter(user=viewer, video_id__in=ids).values_list("video_id", flat=True)
        )
        following = set(
            Follow.objects.filter(follower=viewer, followee_id__in=owner_ids).values_list(
                "followee_id", flat=True
            )
        )

    from profiles.models import User

    owners = {user.pk: user for user in User.objects.filter(pk__in=owner_ids)}
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
