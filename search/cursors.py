"""Search's paging cursor: a signed offset bound to one search (query, kind, filters), and for
video search the token of the ranked list its first page stored (`video_search`)."""

from __future__ import annotations

from django.conf import settings
from django.core import signing

from tiktok.errors import InvalidInput

SEARCH_CURSOR_SALT = "search.cursor"


def search_cursor_encode(*, offset: int, key: str, token: str | None = None) -> str:
    data: dict[str, object] = {"o": int(offset), "k": key}
    if token:
        data["t"] = token
    return signing.dumps(data, salt=SEARCH_CURSOR_SALT)


def search_cursor_decode(cursor: str | None, *, key: str) -> int:
    """The offset a cursor continues from (0 without one). InvalidInput when it is expired,
    tampered with or belongs to another search."""
    return search_cursor_read(cursor, key=key)[0]


def search_cursor_read(cursor: str | None, *, key: str) -> tuple[int, str | None]:
    """The offset a cursor continues from (0 without one) and the token it carries, if any.
    InvalidInput when it is expired, tampered with or belongs to another search."""
    if not cursor:
        return 0, None
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
    token = data.get("t")
    return offset, token if isinstance(token, str) else None
