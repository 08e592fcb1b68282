"""Append-only interaction events (the feed's source of truth)."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class InteractionType(models.TextChoices):
    IMPRESSION = "impression"
    PLAY = "play"
    PAUSE = "pause"
    FINISH = "finish"
    REWATCH = "rewatch"
    LIKE = "like"
    UNLIKE = "unlike"
    SAVE = "save"
    UNSAVE = "unsave"
    SHARE = "share"
    SKIP = "skip"
    NOT_INTERESTED = "not_interested"


class Interaction(models.Model):
    id = models.BigAutoField(primary_key=True)
    event_id = models.UUIDField(unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="interactions",
    )
    session_id = models.CharField(max_length=64, blank=True)
    video = models.ForeignKey("videos.Video", on_delete=models.CASCADE, related_name="interactions")
    type = models.CharField(max_length=16, choices=InteractionType.choices)
    watch_ms = models.PositiveIntegerField(default=0)
    position = models.PositiveIntegerField(null=True, blank=True)
    client_ts = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        indexes = [
            models.Index(fields=["user", "-created_at"]),
            models.Index(fields=["session_id", "-created_at"]),
            models.Index(fields=["video", "type", "-created_at"]),
        ]
