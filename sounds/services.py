"""Writing sounds: create-or-match a sound from audio (fingerprint, preview rendition, stored
under sounds/<media_key>/), favourites, and the use and play counters (changed in SQL, so
concurrent requests never lose an update)."""

from __future__ import annotations

import hashlib
import logging
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import F, Value
from django.db.models.functions import Greatest
from django.utils import timezone

from sounds.audio import (
    PREVIEW_SAMPLE_RATE_HZ,
    NotAudio,
    audio_decode,
    audio_probe,
    is_silent,
    preview_write,
)
from sounds.fingerprint import (
    FINGERPRINT_RATE_HZ,
    KEY_ITEMS,
    MATCH_MAX_BIT_ERROR_RATE,
    MAX_OFFSET_ITEMS,
    FingerprintFailed,
    best_alignment,
    fingerprint_keys,
    fingerprint_samples,
    items_from_signed,
    items_to_signed,
)
from sounds.models import Sound, SoundFavorite, SoundKind
from tiktok.db.sql import column, table
from tiktok.errors import InvalidInput, UnsupportedMedia
from tiktok.plain_text import plain_text_clean
from tiktok.storage import storage_delete_prefix, storage_put

logger = logging.getLogger(__name__)

MAX_TITLE_CHARS = 200
# How many sounds sharing index keys with a new fingerprint are aligned bit by bit.
MATCH_CANDIDATES = 5
# One lock for create-or-match, so two uploads of the same audio cannot both create a sound.
SOUND_CREATE_LOCK_ID = 0x50_55_4E_44


@dataclass(frozen=True)
class SoundMatch:
    sound_id: int
    bit_error_rate: float
    offset_items: int


def sound_prefix(sound: Sound) -> str:
    return f"sounds/{sound.media_key}/"


def sound_match(*, items: np.ndarray, exclude_id: int | None = None) -> SoundMatch | None:
    """The existing sound this fingerprint is a copy of, if any (`sound_matches`' best)."""
    matches = sound_matches(items=items, exclude_id=exclude_id)
    return matches[0] if matches else None


def sound_matches(*, items: np.ndarray, exclude_id: int | None = None) -> list[SoundMatch]:
    """The existing sounds this fingerprint is a copy of, best first: the sounds sharing the
    most index keys (one GIN-indexed query, LIMIT MATCH_CANDIDATES), then the best bit
    alignment of each; those under the threshold, lowest bit error rate first. Sounds hidden
    by moderation are matched too, so a removed sound stays removed when someone re-uploads
    it."""
    # The query's keys come from a little further in, so leading silence in either copy still
    # leaves the shared stretch inside both key windows.
    keys = fingerprint_keys(items, limit=KEY_ITEMS + MAX_OFFSET_ITEMS)
    if not keys:
        return []
    sound_id = column(Sound, "id")
    keys_column = column(Sound, "fingerprint_keys")
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT {sound_id}, {column(Sound, "fingerprint")}
              FROM {table(Sound)}
             WHERE {keys_column} && %(keys)s::int[] AND {sound_id} <> %(exclude)s
             ORDER BY icount({keys_column} & %(keys)s::int[]) DESC, {sound_id}
             LIMIT %(limit)s
            """,
            {"keys": keys, "exclude": exclude_id or 0, "limit": MATCH_CANDIDATES},
        )
        candidates = cursor.fetchall()
    matches = []
    for candidate_id, stored in candidates:
        rate, offset = best_alignment(items_from_signed(stored), items)
        if rate <= MATCH_MAX_BIT_ERROR_RATE:
            matches.append(
                SoundMatch(sound_id=candidate_id, bit_error_rate=rate, offset_items=offset)
            )
    return sorted(matches, key=lambda match: (match.bit_error_rate, match.sound_id))


def _audio_error(exc: NotAudio) -> Exception:
    if exc.code == "not_audio":
        return UnsupportedMedia(str(exc), code=exc.code)
    return InvalidInput(str(exc), code=exc.code)


def sound_from_audio(
    *,
    path: Path,
    title: str,
    creator: Any = None,
    kind: str = SoundKind.UPLOADED,
    create: bool = True,
    reuse: Callable[[Sound], bool] | None = None,
) -> tuple[Sound | None, bool]:
    """The sound of an audio (or video) file: an existing sound when the file is a copy of one
    (re-encoded, leading silence, another container), else a new sound with its preview (or
    None when `create` is false). Returns (sound, created). Raises UnsupportedMedia (not
    audio) or InvalidInput (no audio track, silent, too long).

    `reuse`: whether a matched sound may be the answer; one it refuses is passed over as if
    there were none (a copy of a private account's sound must neither name that account to
    the uploader nor make its page public again)."""
    title = plain_text_clean(
        title, field="title", what="the title", max_chars=MAX_TITLE_CHARS, required=True
    )
    max_seconds = float(settings.MAX_VIDEO_DURATION_SECONDS)
    try:
        info = audio_probe(path)
        if info.duration_s > max_seconds + 1.0:
            raise InvalidInput(
                f"the sound is longer than the limit of {max_seconds:.0f} s", code="too_long"
            )
        samples = audio_decode(path, rate=PREVIEW_SAMPLE_RATE_HZ, max_seconds=max_seconds + 1.0)
    except NotAudio as exc:
        raise _audio_error(exc) from exc
    duration_s = samples.shape[1] / PREVIEW_SAMPLE_RATE_HZ
    if duration_s > max_seconds + 1.0:
        raise InvalidInput(
            f"the sound is longer than the limit of {max_seconds:.0f} s", code="too_long"
        )
    if is_silent(samples):
        raise InvalidInput("the audio track is silent", code="silent_audio")
    try:
        fingerprint = fingerprint_samples(
            audio_decode(path, rate=FINGERPRINT_RATE_HZ, max_seconds=60)
        )
    except (FingerprintFailed, NotAudio) as exc:
        raise InvalidInput(
            f"the audio cannot be fingerprinted: {exc}", code="no_fingerprint"
        ) from exc
    with tempfile.TemporaryDirectory(prefix="sound-") as workdir:
        preview = preview_write(samples, Path(workdir) / "audio.m4a")
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [SOUND_CREATE_LOCK_ID])
            # The best copy `reuse` accepts (a refused one - a private account's - may have
            # been copied into a usable sound by an earlier upload: that one is the answer).
            for match in sound_matches(items=fingerprint.items):
                matched = Sound.objects.get(pk=match.sound_id)
                if reuse is None or reuse(matched):
                    return matched, False
            if not create:
                return None, False
            sound = Sound(
                title=title,
                creator=creator,
                kind=kind,
                duration_ms=round(duration_s * 1000),
                fingerprint=items_to_signed(fingerprint.items),
                fingerprint_keys=fingerprint_keys(fingerprint.items),
                fingerprint_version=fingerprint.version,
            )
            try:
                sound.audio.name = storage_put(sound_prefix(sound) + "audio.m4a", preview)
                sound.save()
            except BaseException:
                storage_delete_prefix(sound_prefix(sound))
                raise
    logger.info("sound %s created (%s, %.1f s)", sound.pk, kind, duration_s)
    return sound, True


def sound_hide(*, sound: Sound) -> bool:
    """Hide the sound (moderation): its page, lists, search and "use this sound" stop offering
    it, and copies of its audio keep matching it. False when it already was hidden."""
    return bool(
        Sound.objects.filter(pk=sound.pk, hidden_at__isnull=True).update(hidden_at=timezone.now())
    )


def sound_unhide(*, sound: Sound) -> bool:
    """Show a hidden sound again; False when it was not hidden."""
    return bool(Sound.objects.filter(pk=sound.pk, hidden_at__isnull=False).update(hidden_at=None))


# One listener (an account, else a client address) counts once per sound in this window.
PLAY_WINDOW_SECONDS = 3600


def sound_play_add(*, sound: Sound, listener: str) -> None:
    """One more play of the sound's preview, unless this listener (`user:<id>`, else
    `address:<client address>`) already counted one of this sound in the last
    PLAY_WINDOW_SECONDS: anyone may post plays, and a loop of them would otherwise set the
    number the sound page shows. The mark is a Redis key (the cache's atomic `add`)."""
    digest = hashlib.sha256(f"{sound.pk}\n{listener}".encode()).hexdigest()[:32]
    if cache.add(f"sounds:played:{digest}", 1, timeout=PLAY_WINDOW_SECONDS):
        Sound.objects.filter(pk=sound.pk).update(play_count=F("play_count") + 1)


@transaction.atomic
def sound_favorite_add(*, user: Any, sound: Sound) -> bool:
    """Save the sound to the user's favourites; False when it already was (nothing changes)."""
    _, created = SoundFavorite.objects.get_or_create(user=user, sound=sound)
    if created:
        Sound.objects.filter(pk=sound.pk).update(favorite_count=F("favorite_count") + 1)
    return created


@transaction.atomic
def sound_favorite_remove(*, user: Any, sound: Sound) -> bool:
    """Take the sound out of the user's favourites; False when it was not there."""
    deleted, _ = SoundFavorite.objects.filter(user=user, sound=sound).delete()
    if deleted:
        Sound.objects.filter(pk=sound.pk).update(
            favorite_count=Greatest(F("favorite_count") - 1, Value(0))
        )
    return bool(deleted)


def sound_favorites_release(*, user_id: int) -> int:
    """An account is being deleted (its favourites go by CASCADE): the sounds it saved stop
    counting it. One statement; returns how many sounds it lowered."""
    favorites, sounds = SoundFavorite._meta.db_table, Sound._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {sounds} s SET favorite_count = GREATEST(s.favorite_count - 1, 0) "
            f"FROM {favorites} f WHERE f.sound_id = s.id AND f.user_id = %s",
            [user_id],
        )
        return cursor.rowcount


def sound_original_release(*, sound_id: int) -> bool:
    """A video was deleted: its original sound (its creator's voice, made from that video's
    audio) goes too once no video uses it any more, with its file (`on_sound_deleted`). It was
    kept, stored and matched by every later upload's fingerprint, until the account went. An
    uploaded sound stays (a file its creator posted as a sound of its own). Returns whether
    it went."""
    with transaction.atomic():
        sound = (
            Sound.objects.select_for_update().filter(pk=sound_id, kind=SoundKind.ORIGINAL).first()
        )
        if sound is None or sound.videos.exists():
            return False
        sound.delete()
    return True
