"""Challenge limits hold when creations race (real threads, real Postgres)."""

from __future__ import annotations

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from discover.challenges import challenge_create
from discover.models import Challenge
from tests.discover.conftest import hours, now
from tests.factories import UserFactory
from videos.models import Hashtag

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_challenges_created_at_once_on_different_hashtags_count_each_other(
    settings, monkeypatch
):
    settings.CHALLENGES_OPEN_PER_CREATOR = 1
    creator = UserFactory()
    both_started = threading.Barrier(2, timeout=10)
    get_or_create = Hashtag.objects.get_or_create

    def get_or_create_once_both_started(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        both_started.wait()  # each creation is past its checks and inside its transaction
        return get_or_create(*args, **kwargs)

    monkeypatch.setattr(Hashtag.objects, "get_or_create", get_or_create_once_both_started)
    errors: list[Exception] = []

    def create(tag: str) -> None:
        try:
            challenge_create(creator=creator, hashtag=tag, title=tag, ends_at=now() + hours(5))
        except Exception as exc:  # noqa: BLE001 - the test reports what each thread raised
            errors.append(exc)
        finally:
            connection.close()  # each thread has its own connection

    threads = [threading.Thread(target=create, args=(tag,)) for tag in ("one", "two")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert Challenge.objects.filter(creator=creator).count() == 1, errors
    assert [type(error) for error in errors] == [ValidationError]
    assert "CHALLENGES_OPEN_PER_CREATOR" in errors[0].message_dict["ends_at"][0]
