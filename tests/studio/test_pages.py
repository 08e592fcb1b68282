"""The studio pages: the signed-in creator's dashboard and their own videos' drill-downs."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.factories import UserFactory, VideoFactory

pytestmark = pytest.mark.django_db


def client_as(user) -> Client:  # noqa: ANN001
    client = Client()
    client.force_login(user)
    return client


def test_dashboard_page_loads_uplot_and_the_studio_script(creator):  # noqa: ANN001
    response = client_as(creator).get("/studio")
    assert response.status_code == 200
    html = response.content.decode()
    assert "vendor/uPlot.iife.min.js" in html and "js/studio.js" in html
    assert 'data-chart="views"' in html and 'data-chart="followers"' in html


def test_drill_down_page_is_for_the_videos_creator_only(creator):  # noqa: ANN001
    video = VideoFactory(owner=creator)
    response = client_as(creator).get(f"/studio/videos/{video.pk}")
    assert response.status_code == 200
    assert 'data-chart="retention"' in response.content.decode()
    assert client_as(UserFactory()).get(f"/studio/videos/{video.pk}").status_code == 404
    assert client_as(creator).get("/studio/videos/999999999").status_code == 404


def test_anonymous_visitors_are_sent_to_log_in():
    response = Client().get("/studio")
    assert response.status_code == 302
    assert response["Location"] == "/login?next=/studio"


def test_own_profile_and_settings_link_to_the_studio(creator):  # noqa: ANN001
    client = client_as(creator)
    assert 'href="/studio"' in client.get(f"/@{creator.username}").content.decode()
    assert 'href="/studio"' in client.get("/settings").content.decode()
