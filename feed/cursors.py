"""Opaque feed cursors: the page number, the session and a token of their own (the key of the
page's remembered answer, so a retried request gets the same page), signed so clients cannot
forge them, and valid for FEED_CURSOR_MAX_AGE_SECONDS (the session id in them is never a
credential: tiktok/api/sessions.py)."""

from __future__ import annotations

import secrets
from typing import NamedTuple

from django.conf import settings
from django.core import signing

from tiktok.errors import InvalidInput

CURSOR_SALT = "feed.cursor"


class FeedCursor(NamedTuple):
    page: int
    session_id: str
    token: str  # "" in a cursor issued before cursors had one


def cursor_encode(*, page: int, session_id: str) -> str:
    """A new cursor: each carries a token of its own."""
    return signing.dumps(
        {"p": page, "s": session_id, "n": secrets.token_hex(8)}, salt=CURSOR_SALT, compress=True
    )


def cursor_decode(cursor: str) -> FeedCursor:
    """(page, session_id, token); a malformed or tampered cursor is a 400."""
    try:
        data = signing.loads(cursor, salt=CURSOR_SALT, max_age=settings.FEED_CURSOR_MAX_AGE_SECONDS)
        page, session_id, token = int(data["p"]), str(data["s"]), str(data.get("n", ""))
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
    return FeedCursor(page, session_id, token)
