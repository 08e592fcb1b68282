"""What long-running management commands (benchmarks, evaluations) share about their output:
the report path checked before the work, the INFO chatter of libraries kept out, and an
embedder that stays down reported in one line."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.core.management.base import CommandError

from embedder_service.client import EmbedderError, url_shown

# At INFO this narrates every Celery task run in process (a "Task ... succeeded" line each),
# which a worker's log wants and a command's output does not. (httpx, which narrates every
# request, is at WARNING for the whole project: settings LOGGING.)
CHATTY_LOGGERS = ("celery.app.trace",)


@contextmanager
def loggers_quiet(names: tuple[str, ...] = CHATTY_LOGGERS) -> Iterator[None]:
    """Raise these loggers to WARNING for the duration, then restore their levels."""
    loggers = [logging.getLogger(name) for name in names]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(max(logger.getEffectiveLevel(), logging.WARNING))
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)


def report_path_check(value: str | Path, *, option: str = "--out") -> Path:
    """The report path, checked before minutes of work (the report is written at the end): its
    folder is created and must be writable, and the path itself must not be a folder."""
    out = Path(value)
    if out.is_dir():
        raise CommandError(f"{option}: {out} is a directory; give a file name for the report")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CommandError(f"{option}: cannot create {out.parent}: {exc.strerror}") from None
    if not os.access(out.parent, os.W_OK) or (out.exists() and not os.access(out, os.W_OK)):
        raise CommandError(f"{option}: {out} is not writable")
    return out


@contextmanager
def embedder_failures_reported() -> Iterator[None]:
    """An embedder that stays unavailable or refuses the input ends the command with one line
    naming it (CommandError), not a traceback."""
    try:
        yield
    except EmbedderError as exc:
        raise CommandError(f"embedder at {url_shown(settings.EMBEDDER_URL)}: {exc}") from None
