"""/api/search without a `type`: the top-level `items`/`next_cursor` earlier clients read are the
videos', so following `next_cursor` (and a `limit`) works there too (docs/search.md). The
cursor and the limit were ignored for the default type=all: the first page came back, with
the same cursor, forever."""

from __future__ import annotations

import pytest

from tests.search.conftest import indexed_video

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_embedder(settings) -> None:  # noqa: ANN001
    settings.EMBEDDER_URL = "http://127.0.0.1:9"  # text search alone


def _ids(body: dict) -> list[int]:
    return [item["id"] for item in body["items"]]


def test_following_next_cursor_without_a_type_walks_every_matching_video(api_client) -> None:  # noqa: ANN001
    made = {indexed_video(caption=f"skateboard trick number {n}").pk for n in range(10)}
    body = api_client.get("/api/search", {"q": "skateboard"}).json()
    seen = _ids(body)
    for _ in range(10):
        if not body["next_cursor"]:
            break
        response = api_client.get("/api/search", {"q": "skateboard", "cursor": body["next_cursor"]})
        assert response.status_code == 200, response.content
        body = response.json()
        seen += _ids(body)
    assert body["next_cursor"] is None
    assert sorted(seen) == sorted(made)  # each once


def test_a_limit_without_a_type_sizes_the_videos(api_client) -> None:  # noqa: ANN001
    for n in range(10):
        indexed_video(caption=f"ukulele lesson {n}")
    body = api_client.get("/api/search", {"q": "ukulele", "limit": 7}).json()
    assert len(body["items"]) == 7
    assert len(body["videos"]["items"]) == 7
    assert "top" in body  # still the overview of every kind


def test_a_garbage_cursor_without_a_type_is_refused(api_client) -> None:  # noqa: ANN001
    indexed_video(caption="skateboard")
    response = api_client.get("/api/search", {"q": "skateboard", "cursor": "garbage"})
    assert (response.status_code, response.json()["error"]) == (400, "invalid_cursor")
