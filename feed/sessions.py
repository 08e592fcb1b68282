"""Which feed session a request belongs to (the key of its session taste and served videos)."""

from __future__ import annotations

import hashlib
import re

from rest_framework.request import Request

from feed.cursors import cursor_decode
from tiktok.api.errors import ApiError

SESSION_ID_PATTERN = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")


def request_session_id(request: Request, *, cursor: str | None = None) -> str:
    """X-Session-Id header or session_id query parameter (API clients); else the session a
    cursor was issued for; else a token client's stable id; else the Django session key,
    creating the session (and its cookie) when needed."""
    explicit = request.headers.get("X-Session-Id") or request.query_params.get("session_id")
    if explicit:
        if not SESSION_ID_PATTERN.match(explicit):
            raise ApiError(
                "session id must be 1-64 letters, digits or _.:-", code="invalid_session_id"
            )
        return explicit
    if cursor:
        return cursor_decode(cursor)[1]
    if request.auth is not None and getattr(request.auth, "key", None):
        return "t" + hashlib.sha256(request.auth.key.encode()).hexdigest()[:24]
    session = request._request.session
    if not session.session_key:
        session.save()
    return session.session_key
