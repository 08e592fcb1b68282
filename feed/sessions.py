"""Which feed session a request belongs to (the key of its session taste and served videos):
the client's explicit session id, else the session it keeps, else the session a feed cursor
was issued for, else a new one (tiktok.api.sessions)."""

from __future__ import annotations

from rest_framework.request import Request

from feed.cursors import cursor_decode
from tiktok.api.sessions import explicit_session_id, implicit_session_id, kept_session_id


def feed_session(request: Request, *, cursor: str | None = None) -> tuple[str, str | None]:
    """The feed session of this request, and the cursor to continue (None: start afresh).

    An explicit id (X-Session-Id header, session_id parameter) wins. The cursor's session
    stands in only for a client that keeps none between calls (a scraper without cookies).
    A client that keeps one (a token, a signed-in browser, the anonymous cookie) is on it: its
    interaction batches go there (`request_session_id`), so after signing in or out mid-scroll
    a cursor of its earlier session starts the feed afresh on the current one rather than
    continuing pages that its likes and skips no longer reach."""
    explicit = explicit_session_id(request)
    if explicit:
        return explicit, cursor
    kept = kept_session_id(request)
    if cursor:
        carried = cursor_decode(cursor).session_id
        if kept is None or kept == carried:
            return carried, cursor
        return kept, None
    return implicit_session_id(request), None
