"""One client cannot be the "different people" that make a phrase everyone's suggestion: a
query counts no more searchers than the addresses they searched from (IPv6 by /64)."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from search.query_log import queries_flush

pytestmark = pytest.mark.django_db


def _search(client: APIClient, q: str) -> None:
    assert client.get("/api/search", {"q": q, "type": "users"}).status_code == 200


def _suggested(prefix: str) -> list[str]:
    found = APIClient().get("/api/search/suggest", {"q": prefix}).json()["suggestions"]
    return [item["text"] for item in found if item["kind"] == "query"]


def test_one_address_searching_anonymously_and_from_two_new_accounts_is_one_searcher():
    phrase = "jane doe is a liar"
    _search(APIClient(REMOTE_ADDR="203.0.113.50"), phrase)
    for n in range(2):
        registered = APIClient(REMOTE_ADDR="203.0.113.50").post(
            "/api/auth/register",
            {"username": f"searcher{n}", "password": "correct-horse-battery"},
            format="json",
        )
        account = APIClient(REMOTE_ADDR="203.0.113.50")
        account.credentials(HTTP_AUTHORIZATION=f"Token {registered.json()['token']}")
        _search(account, phrase)
    queries_flush()

    assert phrase not in _suggested("jane d")


def test_three_addresses_of_one_ipv6_host_are_one_searcher():
    phrase = "john roe steals"
    for n in range(3):
        _search(APIClient(REMOTE_ADDR=f"2001:db8:5:6::{n + 1:x}"), phrase)
    queries_flush()

    assert phrase not in _suggested("john r")


def test_three_people_at_three_addresses_make_a_suggestion():
    phrase = "street food tokyo"
    for n in range(3):
        _search(APIClient(REMOTE_ADDR=f"203.0.113.{60 + n}"), phrase)
    queries_flush()

    assert phrase in _suggested("street f")
