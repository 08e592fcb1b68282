"""Which feed session a request belongs to (the key of its session taste and served videos):
the client's explicit session id, else the session a feed cursor was issued for, else the
client's implicit one (tiktok.api.sessions)."""

from __future__ import annotations

from rest_framework.request import Request

from feed.cursors import cursor_decode
from tiktok.api.sessions import explicit_session_id, implicit_session_id


def feed_session_id(request: Request, *, cursor: str | None = None) -> str:
    """X-Session-Id header or session_id query parameter (API clients); else the session a
    cursor was issued for; else a token client's stable id; else the Django session key,
    creating the session (and its cookie) when needed."""
    explicit = explicit_session_id(request)
    if explicit:
        return explicit
    if cursor:
        return cursor_decode(cursor)[1]
    return implicit_session_id(request)
