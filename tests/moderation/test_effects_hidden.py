"""A hidden video or comment is gone wherever others look: feeds (including lists computed
before it was hidden), similar videos, semantic search, tag pages and counts, comment lists."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from feed import state
from feed.tasks import trending_refresh
from search import video_search as search_videos
from search.video_search import QueryVector
from tests.factories import (
    TEST_EMBEDDING_VERSION,
    FollowFactory,
    TagFactory,
    UserFactory,
    VideoTagFactory,
)
from tests.feed.factories import axis, near, video_with_vector
from videos.services.engagement import comment_create
from videos.services.moderation import comment_hide, video_hide

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _embedding_version(settings):  # noqa: ANN001
    settings.ACTIVE_EMBEDDING_VERSION = TEST_EMBEDDING_VERSION


def _ids(body: dict) -> set[int]:
    return {item["id"] for item in body.get("items") or body.get("results")}


def test_a_video_hidden_after_trending_was_computed_never_reaches_a_feed_page():
    videos = [video_with_vector(near(axis(0), j % 7 + 1, 0.2 + j * 0.01)) for j in range(8)]
    hidden = videos[0]
    trending_refresh()
    listed = {int(m) for m in state.redis_client().zrange(state.TRENDING_KEY, 0, -1)}
    assert hidden.pk in listed  # the stored list still names it: the page must filter it

    video_hide(video=hidden, reason="moderator")

    seen: set[int] = set()
    for session in ("one", "two", "three"):
        body = APIClient().get("/api/feed?limit=50", HTTP_X_SESSION_ID=session).json()
        seen |= _ids(body)
    assert seen and hidden.pk not in seen


def test_trending_lists_leave_hidden_videos_out_when_recomputed():
    shown, hidden = video_with_vector(axis(0)), video_with_vector(axis(1))
    video_hide(video=hidden, reason="moderator")

    trending_refresh()

    listed = {int(m) for m in state.redis_client().zrange(state.TRENDING_KEY, 0, -1)}
    assert shown.pk in listed and hidden.pk not in listed


def test_a_hidden_video_leaves_the_following_feed():
    fan = UserFactory()
    shown, hidden = video_with_vector(axis(0)), video_with_vector(axis(1))
    FollowFactory(follower=fan, followee=shown.owner)
    FollowFactory(follower=fan, followee=hidden.owner)
    client = APIClient()
    client.force_authenticate(fan)
    assert _ids(client.get("/api/feed/following").json()) == {shown.pk, hidden.pk}

    video_hide(video=hidden, reason="moderator")

    assert _ids(client.get("/api/feed/following").json()) == {shown.pk}


def test_a_hidden_video_is_not_similar_to_anything_and_has_no_similar_page():
    source = video_with_vector(axis(0))
    close = [video_with_vector(near(axis(0), j, 0.3)) for j in range(1, 4)]

    video_hide(video=close[0], reason="moderator")

    body = APIClient().get(f"/api/videos/{source.pk}/similar", {"limit": 5}).json()
    assert _ids(body) == {close[1].pk, close[2].pk}
    assert APIClient().get(f"/api/videos/{close[0].pk}/similar").status_code == 404


def test_semantic_search_leaves_hidden_videos_out(monkeypatch):  # noqa: ANN001
    # The query "means" axis 0 (the embedder's answer, without the model service).
    monkeypatch.setattr(
        search_videos,
        "query_embed",
        lambda q: QueryVector(axis(0).tolist(), TEST_EMBEDDING_VERSION, None),
    )
    shown = video_with_vector(near(axis(0), 1, 0.1))
    hidden = video_with_vector(axis(0))

    video_hide(video=hidden, reason="moderator")

    body = APIClient().get("/api/search", {"q": "anything", "type": "videos"}).json()
    assert body["method"] == "fused"
    assert shown.pk in _ids(body) and hidden.pk not in _ids(body)


def test_tag_pages_and_counts_leave_hidden_and_private_account_videos_out():
    tag = TagFactory(slug="skating")
    shown, hidden = video_with_vector(axis(0)), video_with_vector(axis(1))
    private_owner = UserFactory(is_private=True)
    of_private_account = video_with_vector(axis(2), owner=private_owner)
    for video in (shown, hidden, of_private_account):
        VideoTagFactory(video=video, tag=tag)

    video_hide(video=hidden, reason="moderator")

    client = APIClient()
    assert client.get("/api/tags/skating").json()["video_count"] == 1
    listed = {t["slug"]: t["video_count"] for t in client.get("/api/tags").json()["results"]}
    assert listed["skating"] == 1
    assert _ids(client.get("/api/tags/skating/videos").json()) == {shown.pk}
    page = client.get("/tag/skating").content.decode()
    assert f"/v/{shown.pk}" in page and f'/v/{hidden.pk}"' not in page


def test_a_hidden_comment_leaves_lists_and_reply_counts_except_for_its_author(video):  # noqa: ANN001
    author, other = UserFactory(), UserFactory()
    top = comment_create(author=other, video=video, body="top")
    reply = comment_create(author=author, video=video, body="hidden reply", parent_id=top.pk)
    hidden_top = comment_create(author=author, video=video, body="hidden top")

    comment_hide(comment=reply)
    comment_hide(comment=hidden_top)

    url = f"/api/videos/{video.pk}/comments"
    listed = APIClient().get(url).json()["results"]
    assert [(c["body"], c["reply_count"], c["replies"]) for c in listed] == [("top", 0, [])]
    assert APIClient().get(url, {"parent": top.pk}).json()["results"] == []
    assert APIClient().get(url, {"parent": hidden_top.pk}).status_code == 404
    as_author = APIClient()
    as_author.force_authenticate(author)
    bodies = {c["body"] for c in as_author.get(url).json()["results"]}
    assert bodies == {"top", "hidden top"}
    assert as_author.get(url, {"parent": top.pk}).json()["results"][0]["body"] == "hidden reply"


def test_replying_to_a_hidden_comment_is_refused_except_to_its_author(client_for, video):  # noqa: ANN001
    author = UserFactory()
    hidden = comment_create(author=author, video=video, body="hidden")
    comment_hide(comment=hidden)
    url = f"/api/videos/{video.pk}/comments"

    refused = client_for(UserFactory()).post(url, {"body": "hi", "parent_id": hidden.pk})
    own = client_for(author).post(url, {"body": "still here", "parent_id": hidden.pk})

    assert refused.status_code == 400 and "parent_id" in refused.json()["fields"]
    assert own.status_code == 201


def test_a_hidden_video_leaves_its_creators_profile_counts(client_for):  # noqa: ANN001
    creator = UserFactory()
    shown = video_with_vector(axis(0), owner=creator)
    hidden = video_with_vector(axis(1), owner=creator)
    type(hidden).objects.filter(pk=hidden.pk).update(like_count=7)
    type(shown).objects.filter(pk=shown.pk).update(like_count=2)

    video_hide(video=hidden, reason="moderator")

    counts = APIClient().get(f"/api/users/{creator.username}").json()["counts"]
    assert (counts["videos"], counts["likes"]) == (1, 2)
    own = client_for(creator).get(f"/api/users/{creator.username}/videos").json()["results"]
    assert {card["id"] for card in own} == {shown.pk, hidden.pk}  # the owner still sees it
