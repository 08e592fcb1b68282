"""Shares: counted for anyone who may see the video, with a shareable link."""

from __future__ import annotations

import pytest

from feed.models import Interaction
from tests.factories import UserFactory, VideoFactory
from tests.support.errors import assert_error_shape
from videos.models import Privacy, Share

pytestmark = pytest.mark.django_db


def test_share_returns_count_and_link(client_for, video):
    response = client_for(UserFactory()).post(
        f"/api/videos/{video.pk}/share", {"channel": "copy_link"}, format="json"
    )

    assert response.status_code == 200
    assert response.json() == {"shares": 1, "url": f"/v/{video.pk}"}


def test_share_records_the_channel(client_for, video):
    client_for(UserFactory()).post(
        f"/api/videos/{video.pk}/share", {"channel": "copy_link"}, format="json"
    )

    assert Share.objects.get(video=video).channel == "copy_link"


def test_share_without_a_body_is_counted(client_for, video):
    response = client_for(UserFactory()).post(f"/api/videos/{video.pk}/share")

    assert response.json()["shares"] == 1


def test_a_sharer_counts_once_however_many_times_they_share(client_for, video):
    # Every share is kept and announced (the creator's analytics count shares), but one
    # account sharing 40 times is one share in the counts that rank the video.
    from feed.aggregates import aggregates_flush
    from feed.models import VideoStats

    sharer = UserFactory()
    client = client_for(sharer)
    for _ in range(40):
        response = client.post(f"/api/videos/{video.pk}/share")
        assert response.status_code == 200
    assert response.json()["shares"] == 1
    assert Share.objects.filter(video=video).count() == 40
    assert Interaction.objects.filter(user=sharer, video=video, type="share").count() == 40
    aggregates_flush()
    assert VideoStats.objects.get(video=video).shares == 1

    response = client_for(UserFactory()).post(f"/api/videos/{video.pk}/share")

    assert response.json()["shares"] == 2
    video.refresh_from_db()
    assert video.share_count == 2


def test_anonymous_share_is_recorded_but_not_counted(client_for, video):
    response = client_for(None).post(f"/api/videos/{video.pk}/share")

    assert response.status_code == 200
    assert Share.objects.get(video=video).user is None
    assert response.json()["shares"] == 0
    video.refresh_from_db()
    assert video.share_count == 0


def test_share_emits_a_share_interaction(client_for, video):
    sharer = UserFactory()

    client_for(sharer).post(f"/api/videos/{video.pk}/share")

    assert Interaction.objects.filter(user=sharer, video=video, type="share").exists()


def test_share_with_a_malformed_channel_is_400(client_for, video):
    response = client_for(UserFactory()).post(
        f"/api/videos/{video.pk}/share", {"channel": "<script>"}, format="json"
    )

    body = assert_error_shape(response, 400, "invalid")
    assert "channel" in body["fields"]
    assert not Share.objects.exists()


def test_share_of_a_private_video_is_404(client_for):
    private = VideoFactory(privacy=Privacy.PRIVATE)

    response = client_for(None).post(f"/api/videos/{private.pk}/share")

    assert_error_shape(response, 404)
