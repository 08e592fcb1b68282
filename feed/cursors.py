"""Opaque feed cursors: the page number and session, signed so clients cannot forge them, and
valid for FEED_CURSOR_MAX_AGE_SECONDS (the session id in them is never a credential:
tiktok/api/sessions.py)."""

from __future__ import annotations

from django.conf import settings
from django.core import signing

from tiktok.errors import InvalidInput

CURSOR_SALT = "feed.cursor"


def cursor_encode(*, page: int, session_id: str) -> str:
    return signing.dumps({"p": page, "s": session_id}, salt=CURSOR_SALT, compress=True)


def cursor_decode(cursor: str) -> tuple[int, str]:
    """(page, session_id); a malformed or tampered cursor is a 400."""
    try:
        data = signing.loads(cursor, salt=CURSOR_SALT, max_age=settings.FEED_CURSOR_MAX_AGE_SECONDS)
        page, session_id = int(data["p"]), str(data["s"])
    except signing.SignatureExpired as exc:
        raise InvalidInput(
            "the cursor has expired; load the feed again without it", code="cursor_expired"
        ) from exc
    except (signing.BadSignature, KeyError, TypeError, ValueError) as exc:
        raise InvalidInput(
            "the cursor is malformed or was tampered with", code="invalid_cursor"
        ) from exc
    if page < 1:
        raise InvalidInput("the cursor is malformed or was tampered with", code="invalid_cursor")
    return page, session_id
