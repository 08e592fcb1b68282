"""The video card: how a video appears in every list (feeds, profiles, tag pages, similar).

Built from one SQL round trip per page: the video, its owner, its active tags and the viewer's
flags (liked, saved, following the owner) come back as one row per video.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from functools import cache
from typing import Any

from django.db import connection
from django.db.models import Model

from profiles.models import Follow, User
from tagging.models import Tag, VideoTag
from videos.models import Like, Save, Video

CARD_OWNER_FIELDS = ("id", "username", "display_name", "avatar")
# The file fields of a card, in the order the card query selects them.
CARD_MEDIA_FIELDS = ("mp4", "hls_playlist", "poster", "thumbnail")


def _column(model: type[Model], field_name: str) -> str:
    return model._meta.get_field(field_name).column


@cache
def _cards_sql(*, for_viewer: bool) -> str:
    """The card query: one row per requested id that exists, in the order of the ids.

    Parameters: %(video_ids)s (an array of ids) and, for a viewer, %(viewer_id)s. Tags come as
    JSON text of [slug, name, score, source] arrays; anonymous viewers get constant flags so
    their query does no engagement lookups."""
    video_pk, owner_pk, tag_pk = Video._meta.pk.column, User._meta.pk.column, Tag._meta.pk.column
    video_columns = ", ".join(
        f"v.{_column(Video, name)}"
        for name in (
            "id",
            "caption",
            "privacy",
            "status",
            "created_at",
            "published_at",
            *CARD_MEDIA_FIELDS,
            "duration_s",
            "width",
            "height",
            "view_count",
            "like_count",
            "comment_count",
            "save_count",
            "share_count",
        )
    )
    owner_columns = ", ".join(f"o.{_column(User, name)}" for name in CARD_OWNER_FIELDS)
    tags = f"""(
        SELECT json_agg(
                   json_build_array(t.{_column(Tag, "slug")}, t.{_column(Tag, "name")},
                                    vt.{_column(VideoTag, "score")},
                                    vt.{_column(VideoTag, "source")})
                   ORDER BY vt.{_column(VideoTag, "rank")}, vt.{_column(VideoTag, "score")} DESC
               )::text
          FROM {VideoTag._meta.db_table} vt
          JOIN {Tag._meta.db_table} t ON t.{tag_pk} = vt.{_column(VideoTag, "tag")}
         WHERE vt.{_column(VideoTag, "video")} = v.{video_pk}
           AND t.{_column(Tag, "is_active")}
    )"""
    if for_viewer:
        flags = f"""
        EXISTS (SELECT 1 FROM {Like._meta.db_table} l
                 WHERE l.{_column(Like, "user")} = %(viewer_id)s
                   AND l.{_column(Like, "video")} = v.{video_pk}),
        EXISTS (SELECT 1 FROM {Save._meta.db_table} s
                 WHERE s.{_column(Save, "user")} = %(viewer_id)s
                   AND s.{_column(Save, "video")} = v.{video_pk}),
        EXISTS (SELECT 1 FROM {Follow._meta.db_table} f
                 WHERE f.{_column(Follow, "follower")} = %(viewer_id)s
                   AND f.{_column(Follow, "followee")} = o.{owner_pk})"""
    else:
        flags = "false, false, false"
    return f"""
    SELECT {video_columns}, {owner_columns}, {tags}, {flags}
      FROM unnest(%(video_ids)s::bigint[]) WITH ORDINALITY AS wanted(id, position)
      JOIN {Video._meta.db_table} v ON v.{video_pk} = wanted.id
      JOIN {User._meta.db_table} o ON o.{owner_pk} = v.{_column(Video, "owner")}
     ORDER BY wanted.position
    """


@cache
def _storages() -> tuple[Any, ...]:
    """The storages of the card's media fields, then of the owner's avatar."""
    return tuple(Video._meta.get_field(name).storage for name in CARD_MEDIA_FIELDS) + (
        User._meta.get_field("avatar").storage,
    )


def _media_url(storage: Any, name: str | None) -> str | None:
    """What `FieldFile.url` gives for a stored name (None for an empty field)."""
    return storage.url(name) if name else None


def _isoformat(moment: Any) -> str | None:
    return moment.isoformat() if moment else None


def cards_for_ids(*, video_ids: Sequence[int], viewer: Any = None) -> list[dict[str, Any]]:
    """Cards of the videos with these ids for a viewer (user, anonymous or None), in the order of
    the ids; ids of videos that do not exist are skipped. One query."""
    if not video_ids:
        return []
    for_viewer = viewer is not None and getattr(viewer, "is_authenticated", False)
    params: dict[str, Any] = {"video_ids": list(video_ids)}
    if for_viewer:
        params["viewer_id"] = viewer.pk
    with connection.cursor() as cursor:
        cursor.execute(_cards_sql(for_viewer=for_viewer), params)
        rows = cursor.fetchall()
    mp4_storage, hls_storage, poster_storage, thumbnail_storage, avatar_storage = _storages()
    viewer_id = getattr(viewer, "pk", None) if viewer is not None else None
    cards = []
    for (
        video_id,
        caption,
        privacy,
        status,
        created_at,
        published_at,
        mp4,
        hls_playlist,
        poster,
        thumbnail,
        duration_s,
        width,
        height,
        view_count,
        like_count,
        comment_count,
        save_count,
        share_count,
        owner_id,
        username,
        display_name,
        avatar,
        tags_json,
        liked,
        saved,
        following_owner,
    ) in rows:
        tags = json.loads(tags_json) if tags_json else []
        cards.append(
            {
                "id": video_id,
                "caption": caption,
                "privacy": privacy,
                "status": status,
                "created_at": _isoformat(created_at),
                "published_at": _isoformat(published_at),
                "owner": {
                    "id": owner_id,
                    "username": username,
                    "display_name": display_name or username,
                    "avatar_url": _media_url(avatar_storage, avatar),
                },
                "mp4_url": _media_url(mp4_storage, mp4),
                "hls_url": _media_url(hls_storage, hls_playlist),
                "poster_url": _media_url(poster_storage, poster),
                "thumbnail_url": _media_url(thumbnail_storage, thumbnail),
                "duration_s": duration_s,
                "width": width,
                "height": height,
                "counts": {
                    "views": view_count,
                    "likes": like_count,
                    "comments": comment_count,
                    "saves": save_count,
                    "shares": share_count,
                },
                "viewer": {
                    "liked": liked,
                    "saved": saved,
                    "following_owner": following_owner,
                    "is_owner": viewer is not None and viewer_id == owner_id,
                },
                "tags": [
                    {"slug": slug, "name": name, "score": round(score, 4), "source": source}
                    for slug, name, score, source in tags
                ],
            }
        )
    return cards


def video_cards(*, videos: Sequence[Video], viewer: Any = None) -> list[dict[str, Any]]:
    """Cards of already loaded videos for a viewer, in the given order (what `cards_for_ids`
    builds: only the ids are used, so the videos need not have any field but the id loaded)."""
    return cards_for_ids(video_ids=[video.pk for video in videos], viewer=viewer)
