"""Logging filters the settings' LOGGING names."""

from __future__ import annotations

import logging

BRIEF_MESSAGE_CHARS = 300


class Brief(logging.Filter):
    """One short line, no traceback: for records anyone can cause with one request (a Host
    header the site does not serve logged an ERROR with a 14-line traceback and the header,
    however long, twice)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if len(message) > BRIEF_MESSAGE_CHARS:
            message = message[:BRIEF_MESSAGE_CHARS] + "..."
        record.msg, record.args = message.encode("unicode_escape").decode("ascii"), None
        record.exc_info = record.exc_text = None
        record.levelno, record.levelname = logging.WARNING, "WARNING"
        return True
