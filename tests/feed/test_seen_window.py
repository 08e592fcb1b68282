"""Seen videos are kept out of the feed for FEED_SEEN_DAYS (docs/feed.md): by what a page reads,
not only by the trim on the next write, and signing in keeps the account's seen videos to that
window and to FEED_SEEN_MAX."""

import time

import pytest
from rest_framework.test import APIClient

from feed import interaction_state, state
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"


def _write_seen(owner: str, ids: list[int], *, at: float) -> None:
    pipe = state.redis_client().pipeline(transaction=False)
    interaction_state.owner_history_apply(histories={owner: ([], ids)}, pipe=pipe, now_s=at)
    pipe.execute()


def test_a_video_seen_longer_ago_than_feed_seen_days_is_no_longer_seen(settings) -> None:  # noqa: ANN001
    # The zset was trimmed only on a write: a viewer idle since kept videos seen up to twice
    # FEED_SEEN_DAYS ago out of the feed.
    owner = "u424242"
    now = time.time()
    days = settings.FEED_SEEN_DAYS
    _write_seen(owner, [111], at=now - (days + 6) * 86400)
    _write_seen(owner, [222], at=now - (days - 0.1) * 86400)

    assert state.feed_state_load(owner=owner, session_id="s", trending_count=0).seen == {222}
    assert state.rewatch_order(owner=owner, session_id="s")[0] == [222]


def test_signing_in_keeps_the_accounts_seen_videos_to_the_window_and_the_cap(settings) -> None:  # noqa: ANN001
    # Carrying a signed-out session over (the web client names its session on every call, so
    # on every sign-in) set the seen zset to live 30 days and merged past FEED_SEEN_MAX.
    settings.FEED_SEEN_MAX = 5
    user = UserFactory(raw_password=PASSWORD)
    owner = state.owner_key(user_id=user.pk, session_id="tab-1")
    now = time.time()
    _write_seen(owner, [1, 2, 3, 4, 5], at=now - 60)
    _write_seen(state.owner_key(user_id=None, session_id="tab-1"), [6, 7, 8, 9, 10], at=now)

    response = APIClient().post(
        "/api/auth/login",
        {"username": user.username, "password": PASSWORD},
        format="json",
        HTTP_X_SESSION_ID="tab-1",
    )
    assert response.status_code == 200, response.content

    redis = state.redis_client()
    key = state.seen_zset_key(owner)
    assert 0 < redis.ttl(key) <= settings.FEED_SEEN_DAYS * 86400
    # The newest five: the signed-out session's, seen last.
    assert sorted(int(m) for m in redis.zrange(key, 0, -1)) == [6, 7, 8, 9, 10]
