"""Opaque feed cursors: the page number and session, signed so clients cannot forge them."""

from __future__ import annotations

from django.core import signing

from tiktok.errors import InvalidInput

CURSOR_SALT = "feed.cursor"


def cursor_encode(*, page: int, session_id: str) -> str:
    return signing.dumps({"p": page, "s": session_id}, salt=CURSOR_SALT, compress=True)


def cursor_decode(cursor: str) -> tuple[int, str]:
    """(page, session_id); a malformed or tampered cursor is a 400."""
    try:
        data = signing.loads(cursor, salt=CURSOR_SALT)
        page, session_id = int(data["p"]), str(data["s"])
    except (signing.BadSignature, KeyError, TypeError, ValueError) as exc:
        raise InvalidInput(
            "the cursor is malformed or was tampered with", code="invalid_cursor"
        ) from exc
    if page < 1:
        raise InvalidInput("the cursor is malformed or was tampered with", code="invalid_cursor")
    return page, session_id
