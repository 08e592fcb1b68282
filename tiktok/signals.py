"""Sending an app's documented events: every receiver runs, and one that fails is logged and
never undoes or fails what the sending app did."""

from __future__ import annotations

import logging
from typing import Any

from django.dispatch import Signal

logger = logging.getLogger(__name__)


def signal_send_robust(signal: Signal, name: str, **kwargs: Any) -> None:
    for receiver, result in signal.send_robust(sender=None, **kwargs):
        if isinstance(result, Exception):
            logger.error(
                "%s receiver %s failed: %s",
                name,
                getattr(receiver, "__qualname__", receiver),
                result,
                exc_info=result,
            )
