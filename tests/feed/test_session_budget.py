"""The budget of new session tastes per client (`feed.state.new_sessions_admit`): one address or
one account cannot fill Redis by naming a new session in every request, while the events of the
sessions beyond it are still stored."""

import pytest
from rest_framework.test import APIClient

from feed import state
from feed.models import Interaction
from tests.factories import UserFactory
from tests.feed.factories import axis, event, video_with_vector

pytestmark = pytest.mark.django_db


def _post(client: APIClient, session: str, events: list[dict], address: str) -> dict:
    response = client.post(
        "/api/interactions",
        events,
        format="json",
        headers={"X-Session-Id": session},
        REMOTE_ADDR=address,
    )
    assert response.status_code == 202, response.content
    return response.json()


def _taste_kept(owner: str, session: str) -> bool:
    return bool(state.redis_client().exists(state.session_hash_key(owner, session)))


def test_an_address_starts_at_most_its_budget_of_session_tastes_and_the_rest_still_count(
    settings,  # noqa: ANN001
) -> None:
    settings.FEED_NEW_SESSIONS_PER_ADDRESS = 2
    videos = [video_with_vector(axis(i)) for i in range(4)]
    client = APIClient()
    for n in (1, 2):
        body = _post(client, f"s{n}", [event(videos[0], "skip", 300)], "10.1.1.1")
        assert "sessions_not_kept" not in body
        assert _taste_kept(f"as{n}", f"s{n}")

    body = _post(
        client,
        "s3",
        [event(videos[1], "skip", 300), event(videos[2], "not_interested")],
        "10.1.1.1",
    )
    assert body["accepted"] == 2
    assert body["sessions_not_kept"] == ["s3"]
    assert not _taste_kept("as3", "s3")
    # Its events are stored, and what it hid stays out of its pages.
    assert Interaction.objects.filter(session_id="s3").count() == 2
    assert state.session_hidden(owner="as3", session_id="s3") == {videos[2].pk}

    # A session the address already started goes on learning.
    before = state.redis_client().hget(state.session_hash_key("as1", "s1"), "rev")
    body = _post(client, "s1", [event(videos[3], "finish", 9000)], "10.1.1.1")
    assert "sessions_not_kept" not in body
    assert state.redis_client().hget(state.session_hash_key("as1", "s1"), "rev") != before

    # Another address has its own budget.
    assert "sessions_not_kept" not in _post(
        client, "s4", [event(videos[0], "skip", 300)], "10.1.1.2"
    )
    assert _taste_kept("as4", "s4")


def test_an_account_has_its_own_budget_whatever_address_it_posts_from(settings) -> None:  # noqa: ANN001
    settings.FEED_NEW_SESSIONS_PER_ACCOUNT = 1
    settings.FEED_NEW_SESSIONS_PER_ADDRESS = 100
    video = video_with_vector(axis(0))
    user, other = UserFactory(), UserFactory()
    client = APIClient()
    client.force_authenticate(user)
    assert "sessions_not_kept" not in _post(client, "t1", [event(video, "skip", 300)], "10.2.0.1")
    body = _post(client, "t2", [event(video, "skip", 300)], "10.2.0.2")
    assert body["sessions_not_kept"] == ["t2"]
    assert _taste_kept(f"u{user.pk}", "t1")
    assert not _taste_kept(f"u{user.pk}", "t2")

    other_client = APIClient()
    other_client.force_authenticate(other)
    assert "sessions_not_kept" not in _post(
        other_client, "t2", [event(video, "skip", 300)], "10.2.0.2"
    )
    assert _taste_kept(f"u{other.pk}", "t2")


def test_with_room_for_one_the_requests_own_session_is_the_one_kept(settings) -> None:  # noqa: ANN001
    settings.FEED_NEW_SESSIONS_PER_ADDRESS = 1
    video = video_with_vector(axis(0))
    body = _post(
        APIClient(),
        "zz-own",
        [event(video, "skip", 300, session_id="aa-queued"), event(video, "skip", 400)],
        "10.3.0.1",
    )
    assert body["accepted"] == 2
    assert body["sessions_not_kept"] == ["aa-queued"]
    assert _taste_kept("azz-own", "zz-own")
    assert not _taste_kept("aaa-queued", "aa-queued")
