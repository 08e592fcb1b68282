"""The video card: how a video appears in every list (feeds, profiles, tag pages, similar).

Built from one SQL round trip per page: the video, its owner, the viewer's flags (liked, saved,
following the owner) and the fields apps above videos add (`card_field_register`: the tagging
app adds the video's tags) come back as one row per video.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.db import connection
from django.db.models import Model
from django.urls import reverse

from profiles.models import Follow, User
from profiles.selectors import not_blocked_either_way_sql
from profiles.viewers import is_signed_in, viewer_id
from sounds.models import Sound
from videos.models import Like, Save, Video
from videos.visibility import sound_public_sql

CARD_OWNER_FIELDS = ("id", "username", "display_name", "avatar")
# The file fields of a card, in the order the card query selects them.
CARD_MEDIA_FIELDS = ("mp4", "hls_playlist", "poster", "thumbnail")
CARD_VIDEO_FIELDS = (
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
CARD_VIEWER_FLAGS = 3  # liked, saved, following the owner
# Columns of the card row before the registered fields.
_BASE_WIDTH = len(CARD_VIDEO_FIELDS) + len(CARD_OWNER_FIELDS) + CARD_VIEWER_FLAGS


@dataclass(frozen=True)
class CardField:
    """A field an app above videos adds to every card.

    `sql()` gives an SQL expression evaluated per card row, where `v` is the video's row in
    the videos table (e.g. a correlated subquery on `v.id`); `to_json` turns its value into
    the card's `name` field. `viewer_sql()`, when set, replaces it for a signed-in viewer and
    may use `%(viewer_id)s` (what that viewer may see of the field)."""

    name: str
    sql: Callable[[], str]
    to_json: Callable[[Any], Any]
    viewer_sql: Callable[[], str] | None = None


_card_fields: dict[str, CardField] = {}


def card_field_register(field: CardField) -> None:
    """Add (or replace) a card field; called from an app's AppConfig.ready()."""
    _card_fields[field.name] = field
    _cards_sql.cache_clear()


def _captions_json(value: Any) -> dict[str, Any] | None:
    if not value:
        return None
    video_id, language = value
    return {
        "url": reverse("video-captions-vtt", kwargs={"pk": video_id}),
        "language": language or "und",
    }


# Captions (the timed transcript as WebVTT) when the video has any.
CARD_CAPTIONS = CardField(
    name="captions",
    sql=lambda: (
        "CASE WHEN jsonb_array_length(v.transcript_segments) > 0 "
        "THEN json_build_array(v.id, v.transcript_language) END"
    ),
    to_json=_captions_json,
)


def _sound_json(value: Any) -> dict[str, Any] | None:
    if not value:
        return None
    sound_id, title = value
    return {"id": sound_id, "title": title, "url": f"/sound/{sound_id}"}


def _card_sound_sql(*, for_viewer: bool) -> str:
    """The video's sound as [id, title] when its page would show it to the viewer
    (`sounds.selectors.sound_visible`): anyone may see it (`sound_public_sql`: not hidden, its
    creator active, an original sound used by a video anyone may see) and, for a signed-in
    viewer, its creator and the viewer have not blocked each other. Otherwise the card names
    no sound, rather than a title linking to a page that answers 404."""
    blocks = (
        f" AND {not_blocked_either_way_sql('snd.creator_id', '%(viewer_id)s')}"
        if for_viewer
        else ""
    )
    return (
        f"(SELECT json_build_array(snd.{Sound._meta.pk.column}, snd.{_column(Sound, 'title')}) "
        f"FROM {Sound._meta.db_table} snd "
        f"WHERE snd.{Sound._meta.pk.column} = v.{_column(Video, 'sound')} "
        f"AND {sound_public_sql('snd')}{blocks})"
    )


# The sound the video's audio is ("♫ title" linking to the sound's page), when its page would
# show it to the viewer.
CARD_SOUND = CardField(
    name="sound",
    sql=lambda: _card_sound_sql(for_viewer=False),
    to_json=_sound_json,
    viewer_sql=lambda: _card_sound_sql(for_viewer=True),
)


def _column(model: type[Model], field_name: str) -> str:
    return model._meta.get_field(field_name).column


@cache
def _cards_sql(*, for_viewer: bool) -> str:
    """The card query: one row per requested id that exists, in the order of the ids.

    Parameters: %(video_ids)s (an array of ids) and, for a viewer, %(viewer_id)s. Anonymous
    viewers get constant flags so their query does no engagement lookups; registered card
    fields come last, in registration order."""
    video_pk, owner_pk = Video._meta.pk.column, User._meta.pk.column
    video_columns = ", ".join(f"v.{_column(Video, name)}" for name in CARD_VIDEO_FIELDS)
    owner_columns = ", ".join(f"o.{_column(User, name)}" for name in CARD_OWNER_FIELDS)
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
    extra = "".join(
        f", {(field.viewer_sql if for_viewer and field.viewer_sql else field.sql)()}"
        for field in _card_fields.values()
    )
    return f"""
    SELECT {video_columns}, {owner_columns}, {flags}{extra}
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
    for_viewer = is_signed_in(viewer)
    params: dict[str, Any] = {"video_ids": list(video_ids)}
    if for_viewer:
        params["viewer_id"] = viewer.pk
    with connection.cursor() as cursor:
        cursor.execute(_cards_sql(for_viewer=for_viewer), params)
        rows = cursor.fetchall()
    mp4_storage, hls_storage, poster_storage, thumbnail_storage, avatar_storage = _storages()
    viewing_user = viewer_id(viewer)
    fields = list(_card_fields.values())
    cards = []
    for row in rows:
        (
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
            liked,
            saved,
            following_owner,
        ) = row[:_BASE_WIDTH]
        card = {
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
                "is_owner": viewing_user is not None and viewing_user == owner_id,
            },
        }
        for field, value in zip(fields, row[_BASE_WIDTH:], strict=True):
            card[field.name] = field.to_json(value)
        cards.append(card)
    return cards


def video_cards(*, videos: Sequence[Video], viewer: Any = None) -> list[dict[str, Any]]:
    """Cards of already loaded videos for a viewer, in the given order (what `cards_for_ids`
    builds: only the ids are used, so the videos need not have any field but the id loaded)."""
    return cards_for_ids(video_ids=[video.pk for video in videos], viewer=viewer)
