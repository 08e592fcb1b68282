"""The aggregates dead letter in the admin: staff see what was set aside and can put it back on
the queue or drop it; others cannot reach the page."""

from __future__ import annotations

import pytest

from feed.aggregates import DEAD_KEY, aggregates_pending
from feed.dead_letter import aggregates_dead_letter
from feed.state import redis_client
from feed.taste_deltas import TasteDeltas, deltas_encode
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PAGE = "/admin/feed/aggregates-dead-letter/"


def _set_aside(video_id: int) -> None:
    entry = TasteDeltas(version="v-test")
    entry.stats[video_id]["play"] = 1
    entry.pairs[(video_id, video_id + 1)] = 1
    redis_client().rpush(DEAD_KEY, deltas_encode(entry))


def test_staff_see_the_entries_and_can_requeue_or_drop_them(client) -> None:  # noqa: ANN001
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    assert "Aggregate updates set aside" in client.get("/admin/").content.decode()
    _set_aside(4242)
    _set_aside(4343)
    page = client.get(PAGE).content.decode()
    assert "4242" in page and "4343" in page and "v-test" in page

    assert client.post(PAGE, {"action": "requeue"}).status_code == 302
    assert aggregates_pending() == 2 and not aggregates_dead_letter()
    assert "Nothing is set aside" in client.get(PAGE).content.decode()

    _set_aside(4444)
    client.post(PAGE, {"action": "drop"})
    assert not aggregates_dead_letter()


def test_the_page_is_for_superusers_only(client) -> None:  # noqa: ANN001
    _set_aside(4242)
    assert client.get(PAGE).status_code == 302  # to the admin's login
    client.force_login(UserFactory())
    assert client.get(PAGE).status_code == 302
    assert client.post(PAGE, {"action": "drop"}).status_code == 302
    # Staff without superuser rights cannot change what every feed learns.
    client.force_login(UserFactory(is_staff=True))
    assert client.post(PAGE, {"action": "drop"}).status_code == 403
    assert len(aggregates_dead_letter()) == 1
