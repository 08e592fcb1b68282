"""Operators create challenges in the Django admin, with the API's checks, and edit them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from discover.admin import ADMIN_TOP_ENTRIES
from discover.models import Challenge, ChallengeEntry
from sounds.models import Sound
from tests.discover.conftest import hours, now
from tests.factories import UserFactory, VideoFactory
from tests.support.admin_forms import change_form, post_change_form
from videos.models import Hashtag

pytestmark = pytest.mark.django_db
ADD = "/admin/discover/challenge/add/"


@pytest.fixture
def operator_client() -> Client:
    client = Client()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def _form(start, end, hashtag: str = "#Dance") -> dict:  # noqa: ANN001
    return {
        "hashtag_name": hashtag,
        "title": "Dance week",
        "rules": "",
        "starts_at_0": start.strftime("%Y-%m-%d"),
        "starts_at_1": start.strftime("%H:%M:%S"),
        "ends_at_0": end.strftime("%Y-%m-%d"),
        "ends_at_1": end.strftime("%H:%M:%S"),
        "entries-TOTAL_FORMS": "0",
        "entries-INITIAL_FORMS": "0",
    }


def test_operator_creates_a_challenge_with_a_new_hashtag(operator_client):  # noqa: ANN001
    response = operator_client.post(ADD, _form(now(), now() + hours(48)))
    assert response.status_code == 302, response.content.decode()[:2000]
    challenge = Challenge.objects.get()
    assert challenge.hashtag.name == "dance"
    assert challenge.creator.is_staff


def test_admin_refuses_an_end_before_the_start(operator_client):  # noqa: ANN001
    response = operator_client.post(ADD, _form(now() + hours(5), now() + hours(1)))
    assert response.status_code == 200
    assert "ends_at must be after starts_at" in response.content.decode()
    assert not Challenge.objects.exists()


def test_admin_refuses_a_malformed_hashtag(operator_client):  # noqa: ANN001
    response = operator_client.post(ADD, _form(now(), now() + hours(5), hashtag="two words"))
    assert response.status_code == 200
    assert "digits and underscores" in response.content.decode()
    assert not Challenge.objects.exists()


def _sound(**fields) -> Sound:  # noqa: ANN003
    return Sound.objects.create(title="beat", creator=UserFactory(), **fields)


def test_admin_refuses_a_hidden_sound(operator_client):  # noqa: ANN001
    sound = _sound(hidden_at=now())

    response = operator_client.post(ADD, {**_form(now(), now() + hours(48)), "sound": sound.pk})

    assert response.status_code == 200
    assert f"there is no sound {sound.pk}" in response.content.decode()
    assert not Challenge.objects.exists()


def test_admin_refuses_a_challenge_longer_than_the_maximum(operator_client, settings):  # noqa: ANN001
    end = now() + dt.timedelta(days=settings.CHALLENGE_MAX_DAYS + 30)

    response = operator_client.post(ADD, _form(now(), end))

    assert response.status_code == 200
    assert f"at most {settings.CHALLENGE_MAX_DAYS} days" in response.content.decode()
    assert not Challenge.objects.exists()


def test_admin_refuses_an_end_in_the_past(operator_client):  # noqa: ANN001
    response = operator_client.post(ADD, _form(now() - hours(72), now() - hours(24)))

    assert response.status_code == 200
    assert "ends_at must be in the future" in response.content.decode()
    assert not Challenge.objects.exists()


def test_admin_refuses_a_title_of_invisible_characters(operator_client):  # noqa: ANN001
    response = operator_client.post(
        ADD, {**_form(now(), now() + hours(48)), "title": "\u200b\u3164\u200b"}
    )

    assert response.status_code == 200
    assert "title is empty" in response.content.decode()
    assert not Challenge.objects.exists()


def _challenge(entries: int) -> Challenge:
    challenge = Challenge.objects.create(
        hashtag=Hashtag.objects.get_or_create(name="dance")[0],
        title="Dance",
        sound=_sound(),
        starts_at=now() - hours(1),
        ends_at=now() + hours(24),
    )
    for score in range(entries):
        ChallengeEntry.objects.create(
            challenge=challenge, video=VideoFactory(caption=f"entry {score}"), score=score
        )
    return challenge


def test_challenge_change_form_lists_the_best_entries_in_queries_that_do_not_grow(
    operator_client,  # noqa: ANN001
) -> None:
    few, many = _challenge(1), _challenge(ADMIN_TOP_ENTRIES + 5)
    operator_client.get(f"/admin/discover/challenge/{few.pk}/change/")

    with CaptureQueriesContext(connection) as few_queries:
        operator_client.get(f"/admin/discover/challenge/{few.pk}/change/")
    with CaptureQueriesContext(connection) as many_queries:
        page = operator_client.get(f"/admin/discover/challenge/{many.pk}/change/")

    assert len(many_queries) == len(few_queries)
    html = page.content.decode()
    assert f"entry {ADMIN_TOP_ENTRIES + 4}" in html
    assert "entry 5 (" in html
    assert "entry 4 (" not in html


def test_a_challenge_with_entries_keeps_its_hashtag_sound_and_start(operator_client):  # noqa: ANN001
    challenge = _challenge(1)
    url = f"/admin/discover/challenge/{challenge.pk}/change/"
    data = change_form(operator_client, url).data
    data.update(
        {
            "title": ["Dance, week two"],
            "hashtag_name": ["other"],
            "sound": [str(_sound().pk)],
            "starts_at_0": [(now() - hours(48)).strftime("%Y-%m-%d")],
        }
    )

    response = operator_client.post(url, data)

    assert response.status_code == 302, response.content.decode()[:3000]
    before = (challenge.hashtag_id, challenge.sound_id, challenge.starts_at)
    challenge.refresh_from_db()
    assert challenge.title == "Dance, week two"
    assert (challenge.hashtag_id, challenge.sound_id, challenge.starts_at) == before


def test_an_edit_in_the_admin_refuses_a_hidden_sound_and_a_blank_title(operator_client):  # noqa: ANN001
    challenge = _challenge(0)
    url = f"/admin/discover/challenge/{challenge.pk}/change/"
    hidden = _sound(hidden_at=now())

    response = post_change_form(operator_client, url, sound=str(hidden.pk), title="\u200b")

    assert response.status_code == 200
    html = response.content.decode()
    assert f"there is no sound {hidden.pk}" in html
    assert "title is empty" in html
