"""Search's paging cursor: a signed offset bound to one search (query, kind, filters)."""

from __future__ import annotations

from django.conf import settings
from django.core import signing

from tiktok.errors import InvalidInput

SEARCH_CURSOR_SALT = "search.cursor"


def search_cursor_encode(*, offset: int, key: str) -> str:
    return signing.dumps({"o": int(offset), "k": key}, salt=SEARCH_CURSOR_SALT)


def search_cursor_decode(cursor: str | None, *, key: str) -> int:
    """The offset a cursor continues from (0 without one). InvalidInput when it is expired,
    tampered with or belongs to another search."""
    if not cursor:
        return 0
    try:
        data = signing.loads(
            cursor, salt=SEARCH_CURSOR_SALT, max_age=settings.SEARCH_CURSOR_MAX_AGE_SECONDS
        )
        offset = int(data["o"])
    except signing.SignatureExpired as exc:
        raise InvalidInput(
            "the cursor has expired; search again without it", code="cursor_expired"
        ) from exc
    except (signing.BadSignature, KeyError, TypeError, ValueError) as exc:
        raise InvalidInput(
            "the cursor is malformed or was tampered with", code="invalid_cursor"
        ) from exc
    if data.get("k") != key or offset < 0:
        raise InvalidInput("the cursor belongs to another search", code="invalid_cursor")
    return offset
