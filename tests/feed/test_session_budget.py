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


def _session_tastes() -> list[bytes]:
    return list(state.redis_client().scan_iter(match=f"{state.PREFIX}s:*", count=1000))


@pytest.mark.parametrize("named", [True, False], ids=["new-session-ids", "no-session-id"])
def test_shares_count_against_the_addresses_budget_of_session_tastes(settings, named) -> None:  # noqa: ANN001
    # A like, save or share reached the session tastes without the budget: one address naming a
    # new session per share (or sending no id and no cookie: a fresh one minted per share) kept
    # a taste per share, 45 minutes each.
    settings.FEED_NEW_SESSIONS_PER_ADDRESS = 2
    video = video_with_vector(axis(0))
    client = APIClient()
    for n in range(6):
        headers = {"X-Session-Id": f"fake-{n}"} if named else {}
        response = (client if named else APIClient()).post(
            f"/api/videos/{video.pk}/share",
            {"channel": "copy"},
            format="json",
            headers=headers,
            REMOTE_ADDR="10.9.9.9",
        )
        assert response.status_code == 200, response.content
    assert len(_session_tastes()) == 2
    # The shares themselves all count, as every event beyond the budget does.
    assert Interaction.objects.filter(type="share").count() == 6


def test_likes_count_against_the_accounts_budget_and_a_session_a_like_opened_is_held_to_it(
    settings,  # noqa: ANN001
) -> None:
    settings.FEED_NEW_SESSIONS_PER_ACCOUNT = 2
    user = UserFactory()
    videos = [video_with_vector(axis(i % 8)) for i in range(6)]
    client = APIClient()
    client.force_authenticate(user)
    for n, video in enumerate(videos[:4]):
        response = client.post(f"/api/videos/{video.pk}/like", headers={"X-Session-Id": f"tab-{n}"})
        assert response.status_code == 200, response.content
    assert len(_session_tastes()) == 2
    # A session a like named beyond the budget has no taste: the batches it then sends are
    # not kept either (once a like had stored its taste, the session counted as an old one).
    body = client.post(
        "/api/interactions",
        [event(video, "skip", 300) for video in videos],
        format="json",
        headers={"X-Session-Id": "tab-3"},
    ).json()
    assert body.get("sessions_not_kept") == ["tab-3"]


def test_an_anonymous_session_refused_a_taste_keeps_no_history_either(settings) -> None:  # noqa: ANN001
    # An anonymous viewer's seen videos and positives are the session's own keys: a session
    # refused a taste still stored both, 45 minutes each.
    settings.FEED_NEW_SESSIONS_PER_ADDRESS = 1
    videos = [video_with_vector(axis(i % 8)) for i in range(20)]
    client = APIClient()
    kept = _post(client, "first", [event(v, "finish", 20000) for v in videos], "10.7.7.7")
    refused = _post(client, "second", [event(v, "finish", 20000) for v in videos], "10.7.7.7")
    assert refused["accepted"] == len(videos)
    assert "sessions_not_kept" not in kept and refused["sessions_not_kept"] == ["second"]

    redis = state.redis_client()

    def history(session: str) -> list[bool]:
        owner = state.owner_key(user_id=None, session_id=session)
        return [
            bool(redis.exists(state.seen_zset_key(owner))),
            bool(redis.exists(state.positives_list_key(owner))),
        ]

    assert history("first") == [True, True]
    assert history("second") == [False, False]
