"""A person's request for an archive of their data, and where the archive is while it can be
downloaded."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q


class ExportState(models.TextChoices):
    PENDING = "pending"  # asked for; its build task is queued
    BUILDING = "building"  # a worker is writing the archive
    READY = "ready"  # stored; downloadable until expires_at
    FAILED = "failed"  # the build failed; the person may ask again at once
    EXPIRED = "expired"  # past expires_at: the archive was deleted


OPEN_STATES = (ExportState.PENDING, ExportState.BUILDING)


def new_export_key() -> str:
    """The archive's storage folder: 128 random bits (never the row's id)."""
    return secrets.token_hex(16)


class DataExport(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="data_exports"
    )
    state = models.CharField(
        max_length=16, choices=ExportState.choices, default=ExportState.PENDING
    )
    key = models.CharField(max_length=32, unique=True, default=new_export_key, editable=False)
    size_bytes = models.PositiveBigIntegerField(null=True, blank=True)
    # Why the build failed, in words for the person (details go to the worker's log).
    error = models.CharField(max_length=200, blank=True)
    requested_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["user", "-requested_at"]),
            models.Index(fields=["state", "requested_at"]),
        ]
        constraints = [
            # One archive in the making per person: asking again returns it.
            models.UniqueConstraint(
                fields=["user"], condition=Q(state__in=OPEN_STATES), name="one_open_export"
            )
        ]

    def __str__(self) -> str:
        return f"data export {self.pk} of user {self.user_id} ({self.state})"

    @property
    def object_name(self) -> str:
        return f"exports/{self.key}/data.zip"

    @property
    def prefix(self) -> str:
        return f"exports/{self.key}/"
