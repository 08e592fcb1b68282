"""Notification delivery off the request path."""

from __future__ import annotations

from typing import Any

from celery import shared_task

from notifications.deliveries import event_deliver
from notifications.services import notifications_prune


@shared_task(name="notifications.deliver", acks_late=True, ignore_result=True)
def notification_deliver(event: str, payload: dict[str, Any]) -> int:
    """Idempotent: each delivery checks what it tells is still true and not told already."""
    return event_deliver(event=event, payload=payload)


@shared_task(name="notifications.prune", ignore_result=True)
def notifications_prune_task() -> int:
    return notifications_prune()
