"""The sound library: a video's audio made reusable, its fingerprint, and who saved it."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.db import models


def new_sound_key() -> str:
    """A sound's storage folder name (sounds/<media_key>/): 128 random bits, never the id."""
    return secrets.token_hex(16)


def sound_file_path(instance: Sound, filename: str) -> str:
    return f"sounds/{instance.media_key}/{filename}"


class SoundKind(models.TextChoices):
    # The audio of a video as its creator posted it.
    ORIGINAL = "original"
    # An audio file uploaded as a sound of its own.
    UPLOADED = "uploaded"


class Sound(models.Model):
    title = models.CharField(max_length=200)
    # A sound goes with its creator's account (an original sound is their voice; an uploaded
    # one their file): other videos that used it keep their audio and lose the link.
    creator = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.CASCADE, related_name="sounds"
    )
    kind = models.CharField(max_length=16, choices=SoundKind.choices, default=SoundKind.ORIGINAL)
    duration_ms = models.PositiveIntegerField(default=0)
    media_key = models.CharField(max_length=32, unique=True, default=new_sound_key, editable=False)
    # The short audio rendition played on sound pages and laid over videos that use the sound.
    audio = models.FileField(upload_to=sound_file_path, max_length=500, blank=True)
    # Chromaprint's raw fingerprint (32-bit words as signed int32, about 8 per second) and its
    # algorithm version; fingerprint_keys are its index keys (sounds.fingerprint.fingerprint_keys)
    # under a GIN index, so finding the sounds a new fingerprint may match is one indexed query.
    fingerprint = ArrayField(models.IntegerField(), default=list, blank=True)
    fingerprint_keys = ArrayField(models.IntegerField(), default=list, blank=True)
    fingerprint_version = models.CharField(max_length=32, blank=True)
    # Denormalised counters (videos using the sound, previews played, favourites). use_count
    # counts the videos anyone may see, kept by PostgreSQL triggers of the videos app
    # (migration videos/0013_public_counts): a private video's use is no one else's to count.
    use_count = models.PositiveBigIntegerField(default=0)
    play_count = models.PositiveBigIntegerField(default=0)
    favorite_count = models.PositiveBigIntegerField(default=0)
    hidden_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        indexes = [
            models.Index(fields=["-use_count"]),
            models.Index(fields=["creator", "-created_at"]),
            # intarray's operator class: overlap (&&) answered from the index, and the
            # intersection (&) that ranks candidates is a sorted merge, not a nested loop.
            GinIndex(
                fields=["fingerprint_keys"],
                name="sound_fingerprint_keys_gin",
                opclasses=["gin__int_ops"],
            ),
        ]

    def __str__(self) -> str:
        return f"sound {self.pk}: {self.title}"


class SoundFavorite(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="favorite_sounds"
    )
    sound = models.ForeignKey(Sound, on_delete=models.CASCADE, related_name="favorites")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "sound"], name="one_favorite_per_user_sound")
        ]
        indexes = [models.Index(fields=["user", "-created_at"])]
