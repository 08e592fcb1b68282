"""A hashtag only private, followers-only or hidden videos carry is named to no one: not in
search, not in suggestions, not on Discover."""

from __future__ import annotations

import pytest

from discover.lists import lists_read
from discover.tasks import lists_refresh
from tests.factories import VideoFactory
from videos.models import Privacy
from videos.services.hashtags import video_hashtags_sync

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_embedder")]


def _names(api_client) -> tuple[list[str], list[str]]:  # noqa: ANN001
    found = api_client.get("/api/search", {"q": "#surpriseparty", "type": "hashtags"}).json()
    suggested = api_client.get("/api/search/suggest", {"q": "surprisep"}).json()
    return (
        [item["name"] for item in found["items"]],
        [item["text"] for item in suggested["suggestions"] if item["kind"] == "hashtag"],
    )


def test_a_hashtag_on_a_followers_only_video_is_named_to_no_one(api_client):
    secret = VideoFactory(caption="for friends #SurpriseParty", privacy=Privacy.FOLLOWERS)
    video_hashtags_sync(video=secret)
    assert _names(api_client) == ([], [])
    lists_refresh()
    assert "surpriseparty" not in [item["name"] for item in lists_read()["hashtags"]]
    public = VideoFactory(caption="ours was great #surpriseparty")
    video_hashtags_sync(video=public)
    assert _names(api_client) == (["surpriseparty"], ["surpriseparty"])
