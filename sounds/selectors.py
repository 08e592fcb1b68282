"""Reading sounds: one sound as a viewer sees it, and a user's favourites."""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any

from django.db import connection
from django.db.models import Exists, OuterRef, Q, QuerySet

from profiles.models import User
from profiles.selectors import hidden_user_ids
from profiles.viewers import is_signed_in
from sounds.models import Sound, SoundFavorite
from tiktok.errors import NotFound

SoundAudience = Callable[[], Q]
_audiences: list[SoundAudience] = []


def sound_audience_register(audience: SoundAudience) -> None:
    """Add a condition every sound shown to anyone must meet (videos registers one: an original
    sound is shown while a video anyone may see uses it); called from AppConfig.ready()."""
    if audience not in _audiences:
        _audiences.append(audience)


def public_sounds() -> QuerySet[Sound]:
    """Sounds that may be shown and played to anyone: not hidden by moderation, their creator
    neither suspended nor deactivated, and every registered audience condition."""
    inactive_creator = User.objects.filter(pk=OuterRef("creator_id")).filter(
        Q(is_active=False) | Q(suspended_at__isnull=False)
    )
    queryset = Sound.objects.filter(hidden_at__isnull=True).exclude(Exists(inactive_creator))
    for audience in _audiences:
        queryset = queryset.filter(audience())
    return queryset


# The compiled statement of `public_sound_ids`, per set of audience conditions: (sql, params,
# the position of the ids among the params).
_public_ids_statements: dict[tuple[SoundAudience, ...], tuple[str, tuple, int]] = {}


def public_sound_ids(*, sound_ids: Collection[int]) -> set[int]:
    """Of these sounds, those `public_sounds` shows to anyone, in one query. Its statement is
    built once per process (and set of audience conditions): building the queryset cost more
    than running it, about 2 ms on every Discover request."""
    if not sound_ids:
        return set()
    key = tuple(_audiences)
    compiled = _public_ids_statements.get(key)
    if compiled is None:
        ids_param: list[int] = []
        queryset = public_sounds().extra(  # noqa: S610 - no user input in the SQL
            where=[f"{Sound._meta.db_table}.id = ANY(%s)"], params=[ids_param]
        )
        sql, params = queryset.values_list("pk", flat=True).query.sql_with_params()
        position = next(i for i, param in enumerate(params) if param is ids_param)
        compiled = _public_ids_statements[key] = (sql, tuple(params), position)
    sql, params, position = compiled
    arguments = list(params)
    arguments[position] = sorted(int(pk) for pk in sound_ids)
    with connection.cursor() as cursor:
        cursor.execute(sql, arguments)
        return {row[0] for row in cursor.fetchall()}


def sound_visible(*, sound_id: int, viewer: Any = None) -> Sound:
    """The sound, unless it does not exist, may not be shown (`public_sounds`) or its creator
    and the viewer are blocked either way (NotFound: search and Discover leave it out too)."""
    queryset = public_sounds()
    if is_signed_in(viewer):
        queryset = queryset.exclude(creator_id__in=hidden_user_ids(viewer=viewer))
    sound = (
        queryset.filter(pk=sound_id)
        .select_related("creator")
        .defer("fingerprint", "fingerprint_keys")
        .first()
    )
    if sound is None:
        raise NotFound("no such sound", code="sound_not_found")
    return sound


def sound_may_see(*, sound_id: int, viewer: Any = None) -> bool:
    """Whether `sound_visible` would answer with the sound."""
    try:
        sound_visible(sound_id=sound_id, viewer=viewer)
    except NotFound:
        return False
    return True


def sound_payload(*, sound: Sound, viewer: Any = None) -> dict[str, Any]:
    """What the API and the sound page show of a sound."""
    creator = sound.creator
    favorited = is_signed_in(viewer) and (
        SoundFavorite.objects.filter(user=viewer, sound=sound).exists()
    )
    return {
        "id": sound.pk,
        "title": sound.title,
        "kind": sound.kind,
        "creator": (
            {
                "id": creator.pk,
                "username": creator.username,
                "display_name": creator.display_name or creator.username,
            }
            if creator is not None
            else None
        ),
        "duration_s": round(sound.duration_ms / 1000, 3),
        "audio_url": sound.audio.url if sound.audio else None,
        "counts": {
            "videos": sound.use_count,
            "plays": sound.play_count,
            "favorites": sound.favorite_count,
        },
        "viewer": {"favorited": bool(favorited)},
        "created_at": sound.created_at.isoformat(),
        "use_url": f"/upload?sound={sound.pk}",
        "page_url": f"/sound/{sound.pk}",
    }


def favorite_sounds(*, user: Any) -> QuerySet[SoundFavorite]:
    """The user's saved sounds, newest first (hidden ones, and those of creators blocked either
    way since, left out)."""
    return (
        SoundFavorite.objects.filter(user=user, sound__in=public_sounds())
        .exclude(sound__creator_id__in=hidden_user_ids(viewer=user))
        .select_related("sound", "sound__creator")
        .defer("sound__fingerprint", "sound__fingerprint_keys")
    )


def sound_media_public(*, media_key: str) -> bool:
    """Whether a sound's files (sounds/<media_key>/...) may be served to anyone."""
    return public_sounds().filter(media_key=media_key).exists()
