"""Opaque feed cursors: the page number, the session and a token of their own (the key of the
page's remembered answer, so a retried request gets the same page), signed so clients cannot
forge them, and valid for FEED_CURSOR_MAX_AGE_SECONDS.

A cursor names its session only for a client that keeps nothing else between calls (a scraper
without cookies: the cursor is how its session goes on). For any other session (an id the client
sends, the anonymous cookie's, a signed-in client's) it carries a keyed digest of the id: the
cursor travels in URLs and logs, and an anonymous session's id is all it takes to read that
session's next pages and steer its taste (tiktok/api/sessions.py)."""

from __future__ import annotations

import hmac
import secrets
from typing import NamedTuple

from django.conf import settings
from django.core import signing
from django.utils.crypto import salted_hmac

from tiktok.errors import InvalidInput

CURSOR_SALT = "feed.cursor"
_DIGEST_SALT = "feed.cursor.session"


class FeedCursor(NamedTuple):
    page: int
    session_id: str | None  # named only in a cursor of a client that keeps no session
    session_digest: str  # the session's keyed digest ("" in a cursor naming its session)
    token: str  # "" in a cursor issued before cursors had one

    def belongs_to(self, session_id: str) -> bool:
        """Whether the cursor was issued for this session."""
        if self.session_id is not None:
            return hmac.compare_digest(self.session_id, session_id)
        return hmac.compare_digest(self.session_digest, session_digest(session_id))


def session_digest(session_id: str) -> str:
    """A session id's keyed digest (SECRET_KEY): a client-chosen id may be guessable, so a
    plain hash of it would not hide it."""
    return salted_hmac(_DIGEST_SALT, session_id, algorithm="sha256").hexdigest()[:32]


def cursor_encode(*, page: int, session_id: str, names_session: bool = False) -> str:
    """A new cursor: each carries a token of its own. names_session: the session id itself,
    for a client whose session goes on through its cursors alone; else its digest."""
    data: dict[str, object] = {"p": page, "n": secrets.token_hex(8)}
    if names_session:
        data["s"] = session_id
    else:
        data["h"] = session_digest(session_id)
    return signing.dumps(data, salt=CURSOR_SALT, compress=True)


def cursor_decode(cursor: str) -> FeedCursor:
    """(page, session id or its digest, token); a malformed or tampered cursor is a 400."""
    try:
        data = signing.loads(cursor, salt=CURSOR_SALT, max_age=settings.FEED_CURSOR_MAX_AGE_SECONDS)
        page, token = int(data["p"]), str(data.get("n", ""))
        if "s" in data:
            named, digest = str(data["s"]), ""
        else:
            named, digest = None, str(data["h"])
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
    return FeedCursor(page, named, digest, token)
