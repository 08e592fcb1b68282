"""Anonymous clients cost no database rows, and feed cursors carry no credential and expire:
an anonymous API call gets a random session id in a signed cookie (not a Django session row
that was never cleared), a cursor names its session only for a client that keeps none (else a
keyed digest of it: a copied cursor neither reads nor steers another's session), cursors are
refused after FEED_CURSOR_MAX_AGE_SECONDS, and expired sessions are cleared."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.core import signing
from django.test import override_settings
from django.utils import timezone
from rest_framework.test import APIClient

from feed import state
from feed.cursors import CURSOR_SALT, cursor_encode, session_digest
from profiles.tasks import sessions_clear
from tests.factories import UserFactory
from tests.feed.factories import cluster
from tiktok.api.sessions import ANONYMOUS_SESSION_COOKIE

pytestmark = pytest.mark.django_db


def test_anonymous_calls_without_a_session_create_no_rows() -> None:
    cluster(0, 12)
    ids = set()
    for _ in range(15):  # a scraper: a fresh client (no cookies, no header) every call
        client = APIClient()
        response = client.get("/api/feed")
        assert response.status_code == 200
        cookie = response.cookies[ANONYMOUS_SESSION_COOKIE]
        assert cookie["httponly"] and cookie["max-age"] == 24 * 3600
        ids.add(signing.loads(response.json()["next_cursor"], salt=CURSOR_SALT)["s"])
    assert Session.objects.count() == 0
    assert len(ids) == 15  # each its own session


def test_the_anonymous_cookie_keeps_one_session_and_a_forged_one_is_ignored() -> None:
    cluster(0, 40)
    client = APIClient()
    first = client.get("/api/feed").json()
    second = client.get("/api/feed").json()
    assert _session_of(first) == _session_of(second)
    forged = APIClient()
    minted = signing.loads(first["next_cursor"], salt=CURSOR_SALT)["s"]
    forged.cookies[ANONYMOUS_SESSION_COOKIE] = minted  # unsigned: not accepted
    other = forged.get("/api/feed").json()
    assert _session_of(other) != _session_of(first)


def test_a_signed_in_browsers_cursor_does_not_carry_its_session_key(client) -> None:  # noqa: ANN001
    cluster(0, 40)
    client.force_login(UserFactory())
    session_key = client.session.session_key
    page = client.get("/api/feed").json()
    data = signing.loads(page["next_cursor"], salt=CURSOR_SALT)
    assert "s" not in data and session_key not in str(data)
    # Still one stable session for that browser.
    assert _session_of(client.get("/api/feed").json()) == _session_of(page)


def _session_of(page: dict) -> str:
    """The session a page's next cursor was issued for, as its digest."""
    data = signing.loads(page["next_cursor"], salt=CURSOR_SALT)
    return data["h"] if "h" in data else session_digest(data["s"])


def test_signing_in_mid_scroll_moves_the_feed_to_the_session_its_events_reach(client) -> None:  # noqa: ANN001
    # A cookie-only client (no X-Session-Id): its interaction batches go to the session it
    # keeps, which changes when it signs in; its next page follows, rather than continuing the
    # anonymous session's chain that its likes and skips no longer reach.
    cluster(0, 40)
    anonymous_page = client.get("/api/feed").json()
    client.force_login(UserFactory())
    response = client.get("/api/feed", {"cursor": anonymous_page["next_cursor"]})
    assert response.status_code == 200
    continued = response.json()
    assert continued["items"]
    assert _session_of(continued) != _session_of(anonymous_page)
    assert _session_of(continued) == _session_of(client.get("/api/feed").json())
    # Signing out again (the browser keeps its anonymous cookie; the test client's logout
    # clears every cookie): back on the anonymous cookie's session.
    anonymous_cookie = client.cookies[ANONYMOUS_SESSION_COOKIE].value
    client.logout()
    client.cookies[ANONYMOUS_SESSION_COOKIE] = anonymous_cookie
    after = client.get("/api/feed", {"cursor": continued["next_cursor"]}).json()
    assert _session_of(after) == _session_of(anonymous_page)


def test_a_client_that_keeps_no_cookies_continues_on_its_cursors_session() -> None:
    cluster(0, 40)
    first = APIClient().get("/api/feed").json()
    second = APIClient().get("/api/feed", {"cursor": first["next_cursor"]}).json()
    assert _session_of(second) == _session_of(first)
    assert not {card["id"] for card in first["items"]} & {card["id"] for card in second["items"]}


def test_a_copied_cursor_neither_reads_nor_steers_the_session_it_came_from() -> None:
    # The web client names its anonymous session in a header; its cursors travel in URLs. A
    # cookie-less client replaying one (from a log) starts a session of its own.
    cluster(0, 40)
    visitor = APIClient(HTTP_X_SESSION_ID="tab-visitor-1")
    first = visitor.get("/api/feed", {"limit": 5}).json()
    second = visitor.get("/api/feed", {"limit": 5, "cursor": first["next_cursor"]}).json()
    data = signing.loads(second["next_cursor"], salt=CURSOR_SALT)
    assert "s" not in data and "tab-visitor-1" not in str(data)
    served_key = state.served_set_key(
        state.owner_key(user_id=None, session_id="tab-visitor-1"), "tab-visitor-1"
    )
    served = state.redis_client().smembers(served_key)
    copied = APIClient().get("/api/feed", {"limit": 5, "cursor": first["next_cursor"]}).json()
    assert [card["id"] for card in copied["items"]] != [card["id"] for card in second["items"]]
    assert _session_of(copied) != _session_of(second)
    APIClient().get("/api/feed", {"limit": 5, "cursor": copied["next_cursor"]})
    APIClient().get("/api/feed", {"limit": 5, "cursor": second["next_cursor"]})
    assert state.redis_client().smembers(served_key) == served
    # The visitor goes on as before.
    third = visitor.get("/api/feed", {"limit": 5, "cursor": second["next_cursor"]}).json()
    assert _session_of(third) == _session_of(second)
    seen = {card["id"] for page in (first, second) for card in page["items"]}
    assert third["items"] and not seen & {card["id"] for card in third["items"]}


@override_settings(FEED_CURSOR_MAX_AGE_SECONDS=3600)
def test_an_old_cursor_is_refused_with_a_reason(monkeypatch) -> None:  # noqa: ANN001
    cluster(0, 12)
    issued_at = time.time() - 2 * 3600
    monkeypatch.setattr(signing.time, "time", lambda: issued_at)
    old = cursor_encode(page=1, session_id="device-1")
    monkeypatch.undo()
    response = APIClient().get("/api/feed", {"cursor": old})
    assert response.status_code == 400
    assert response.json()["error"] == "cursor_expired"
    fresh = APIClient().get("/api/feed", {"cursor": cursor_encode(page=1, session_id="device-1")})
    assert fresh.status_code == 200


def test_expired_sessions_are_cleared() -> None:
    now = timezone.now()
    Session.objects.create(session_key="a" * 32, session_data="", expire_date=now - timedelta(1))
    Session.objects.create(session_key="b" * 32, session_data="", expire_date=now + timedelta(1))
    assert sessions_clear() == 1
    assert list(Session.objects.values_list("session_key", flat=True)) == ["b" * 32]
