"""Which client session a request belongs to: the key of its session taste and served videos."""

from __future__ import annotations

import hashlib
import re

from rest_framework.request import Request

from tiktok.errors import InvalidInput

SESSION_ID_PATTERN = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")


def explicit_session_id(request: Request) -> str | None:
    """The X-Session-Id header or session_id query parameter an API client sent, if any."""
    explicit = request.headers.get("X-Session-Id") or request.query_params.get("session_id")
    if not explicit:
        return None
    if not SESSION_ID_PATTERN.match(explicit):
        raise InvalidInput(
            "session id must be 1-64 letters, digits or _.:-", code="invalid_session_id"
        )
    return explicit


def implicit_session_id(request: Request) -> str:
    """A token client's stable id, else the Django session key (creating the session and its
    cookie when needed)."""
    if request.auth is not None and getattr(request.auth, "key", None):
        return "t" + hashlib.sha256(request.auth.key.encode()).hexdigest()[:24]
    session = request._request.session
    if not session.session_key:
        session.save()
    return session.session_key


def request_session_id(request: Request) -> str:
    """X-Session-Id header or session_id query parameter (API clients); else a token client's
    stable id; else the Django session key."""
    return explicit_session_id(request) or implicit_session_id(request)
