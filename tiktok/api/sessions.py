"""Which client session a request belongs to: the key of its session taste and served videos.

Nothing here writes a database row: an anonymous client that names no session gets a random id
in a signed cookie of its own (each scraper call used to create a Django session row that was
never cleared). The id never contains a credential either, since it travels in feed cursors: a
token client's id and a signed-in browser's are hashes of their token or session key.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from rest_framework.request import Request

from tiktok.errors import InvalidInput
from tiktok.session_ids import SESSION_ID_RULE, session_id_valid

ANONYMOUS_SESSION_COOKIE = "feed_session"
ANONYMOUS_SESSION_SALT = "tiktok.api.sessions.anonymous"
# Where a fresh anonymous id waits for the response (AnonymousSessionCookieMiddleware).
_NEW_ID_ATTRIBUTE = "_anonymous_session_id_new"


def explicit_session_id(request: Request) -> str | None:
    """The X-Session-Id header or session_id query parameter an API client sent, if any."""
    explicit = request.headers.get("X-Session-Id") or request.query_params.get("session_id")
    if not explicit:
        return None
    if not session_id_valid(explicit):
        raise InvalidInput(f"session id must be {SESSION_ID_RULE}", code="invalid_session_id")
    return explicit


def _digest(prefix: str, secret: str) -> str:
    return prefix + hashlib.sha256(secret.encode()).hexdigest()[:24]


def kept_session_id(request: Request) -> str | None:
    """The id of the session this client keeps, if it keeps one: a token client's, a signed-in
    browser's (from its session), else the id in a valid anonymous session cookie. None for a
    client that keeps nothing between calls (a scraper without cookies)."""
    if request.auth is not None and getattr(request.auth, "key", None):
        return _digest("t", request.auth.key)
    django_request = request._request
    session_key = django_request.session.session_key
    if session_key and django_request.user.is_authenticated:
        return _digest("s", session_key)
    existing = django_request.get_signed_cookie(
        ANONYMOUS_SESSION_COOKIE,
        default=None,
        salt=ANONYMOUS_SESSION_SALT,
        max_age=settings.ANONYMOUS_SESSION_COOKIE_SECONDS,
    )
    if existing and session_id_valid(existing):
        return existing
    return None


def implicit_session_id(request: Request) -> str:
    """The session this client keeps (`kept_session_id`), else a new anonymous id, set in the
    anonymous session cookie on the response."""
    kept = kept_session_id(request)
    if kept is not None:
        return kept
    django_request = request._request
    minted = getattr(django_request, _NEW_ID_ATTRIBUTE, None) or "a" + secrets.token_hex(12)
    setattr(django_request, _NEW_ID_ATTRIBUTE, minted)
    return minted


def request_session_id(request: Request) -> str:
    """X-Session-Id header or session_id query parameter (API clients); else the implicit id."""
    return explicit_session_id(request) or implicit_session_id(request)


class AnonymousSessionCookieMiddleware:
    """Sets the anonymous session cookie when a request minted an id."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        minted = getattr(request, _NEW_ID_ATTRIBUTE, None)
        if minted:
            response.set_signed_cookie(
                ANONYMOUS_SESSION_COOKIE,
                minted,
                salt=ANONYMOUS_SESSION_SALT,
                max_age=settings.ANONYMOUS_SESSION_COOKIE_SECONDS,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        return response
