"""Signing in comes back to the page as it was asked for: the "Log in" and "Sign up" links and
the redirects of pages for signed-in people carry the whole path, its query string too."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

pytestmark = pytest.mark.django_db


def _next_of(url: str) -> str:
    return parse_qs(urlsplit(url).query)["next"][0]


def test_the_log_in_and_sign_up_links_keep_the_query_string(client):  # noqa: ANN001
    html = client.get("/search", {"q": "cats & dogs", "type": "users"}).content.decode()
    assert '/login?next=/search%3Fq%3Dcats%2B%2526%2Bdogs%26type%3Dusers"' in html
    assert '/register?next=/search%3Fq%3Dcats%2B%2526%2Bdogs%26type%3Dusers"' in html


@pytest.mark.parametrize(
    "path", ["/studio?from=2026-01-01&to=2026-01-28", "/notifications?x=1", "/settings?tab=2"]
)
def test_pages_for_signed_in_people_come_back_with_their_query_string(client, path):  # noqa: ANN001
    response = client.get(path)
    assert response.status_code == 302
    assert _next_of(response["Location"]) == path
