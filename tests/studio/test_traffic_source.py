"""Interactions carry where the video was opened: stored from the batch or the event,
"unknown" by default, and refused when it is not one of the known sources."""

from __future__ import annotations

import uuid

import pytest

from feed.models import Interaction
from tests.factories import VideoFactory
from tests.support.errors import assert_error_shape

pytestmark = pytest.mark.django_db


def event(video, kind: str = "play", **extra) -> dict:  # noqa: ANN001
    return {"event_id": str(uuid.uuid4()), "video_id": video.pk, "type": kind, **extra}


def test_batch_traffic_source_is_stored_on_each_event(client_for, user):  # noqa: ANN001
    video = VideoFactory()
    body = {
        "events": [event(video), event(video, "pause", watch_ms=4000)],
        "traffic_source": "search",
    }
    response = client_for(user).post("/api/interactions", body, format="json")
    assert response.status_code == 202, response.content
    assert list(Interaction.objects.values_list("traffic_source", flat=True)) == ["search"] * 2


def test_an_events_own_traffic_source_overrides_the_batch(client_for, user):  # noqa: ANN001
    video = VideoFactory()
    body = {
        "events": [event(video, traffic_source="hashtag"), event(video, "finish")],
        "traffic_source": "profile",
    }
    client_for(user).post("/api/interactions", body, format="json")
    assert dict(Interaction.objects.values_list("type", "traffic_source")) == {
        "play": "hashtag",
        "finish": "profile",
    }


def test_events_without_a_source_are_unknown(client_for):  # noqa: ANN001
    video = VideoFactory()
    response = client_for(None).post("/api/interactions", [event(video)], format="json")
    assert response.status_code == 202, response.content
    assert Interaction.objects.get().traffic_source == "unknown"


def test_unknown_batch_traffic_source_is_400_naming_the_field(client_for, user):  # noqa: ANN001
    video = VideoFactory()
    for bad in ("tv", 5, ["search"]):
        body = {"events": [event(video)], "traffic_source": bad}
        response = client_for(user).post("/api/interactions", body, format="json")
        error = assert_error_shape(response, 400, "invalid_traffic_source")
        assert "traffic_source" in error["fields"]
    assert not Interaction.objects.exists()


def test_unknown_event_traffic_source_rejects_that_event_only(client_for, user):  # noqa: ANN001
    video = VideoFactory()
    body = [event(video, traffic_source="billboard"), event(video, "pause", watch_ms=10)]
    response = client_for(user).post("/api/interactions", body, format="json")
    assert response.status_code == 202, response.content
    rejected = response.json()["rejected"]
    assert [(r["index"], r["error"]) for r in rejected] == [(0, "invalid_traffic_source")]
    assert "traffic_source" in rejected[0]["detail"]
    assert list(Interaction.objects.values_list("type", flat=True)) == ["pause"]
