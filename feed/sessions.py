"""Which feed session a request belongs to (the key of its session taste and served videos):
the client's explicit session id, else the session it keeps, else the session a feed cursor
was issued for, else a new one (tiktok.api.sessions)."""

from __future__ import annotations

from typing import NamedTuple

from rest_framework.request import Request

from feed.cursors import cursor_decode
from tiktok.api.sessions import explicit_session_id, implicit_session_id, kept_session_id


class FeedSession(NamedTuple):
    session_id: str
    cursor: str | None  # the cursor to continue (None: start afresh)
    # Whether the session goes on through cursors alone (the client keeps nothing between
    # calls): its cursors name it (feed.cursors).
    carried: bool


def feed_session(request: Request, *, cursor: str | None = None) -> FeedSession:
    """The feed session of this request, and the cursor to continue.

    An explicit id (X-Session-Id header, session_id parameter) wins. The cursor's session
    stands in only for a client that keeps none between calls (a scraper without cookies),
    and only when the cursor names it: a cursor of a session the client sent or kept carries
    a digest of its id, so a copy of it (from a URL in a log) starts another client afresh
    rather than reading and steering that session. A client that keeps one (a token, a
    signed-in browser, the anonymous cookie) is on it: its interaction batches go there
    (`request_session_id`), so after signing in or out mid-scroll a cursor of its earlier
    session starts the feed afresh on the current one rather than continuing pages that its
    likes and skips no longer reach."""
    explicit = explicit_session_id(request)
    if explicit:
        return FeedSession(explicit, cursor, carried=False)
    kept = kept_session_id(request)
    if cursor:
        decoded = cursor_decode(cursor)
        if kept is not None:
            return FeedSession(kept, cursor if decoded.belongs_to(kept) else None, carried=False)
        if decoded.session_id is not None:
            return FeedSession(decoded.session_id, cursor, carried=True)
    return FeedSession(implicit_session_id(request), None, carried=kept is None)
