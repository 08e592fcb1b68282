"""Account housekeeping tasks."""

from __future__ import annotations

from celery import shared_task
from django.contrib.sessions.models import Session
from django.utils import timezone


@shared_task(name="profiles.sessions_clear")
def sessions_clear() -> int:
    """Delete expired sign-in sessions (Django keeps their rows until told); returns how many."""
    deleted, _ = Session.objects.filter(expire_date__lt=timezone.now()).delete()
    return deleted
