"""studio 0002 fills each creator's daily unique viewers for the days already rolled up."""

from __future__ import annotations

import importlib
import types

import pytest
from django.apps import apps
from django.db import connection

from studio.models import CreatorDay
from studio.rollups import rollup_day
from tests.factories import UserFactory, VideoFactory
from tests.studio.test_apis import post, today

pytestmark = pytest.mark.django_db

fill = importlib.import_module("studio.migrations.0002_creator_day_unique_viewers")._fill


def test_the_migration_fills_the_days_already_rolled_up(client_for, creator):  # noqa: ANN001
    first, second = VideoFactory(owner=creator), VideoFactory(owner=creator)
    fan = client_for(UserFactory())
    post(fan, first, ("play", 0))
    post(fan, second, ("play", 0))
    post(client_for(UserFactory()), second, ("play", 0))
    rollup_day(day=today())
    CreatorDay.objects.all().delete()  # as before the column existed: no row for this creator

    fill(apps, types.SimpleNamespace(connection=connection))

    row = CreatorDay.objects.get(creator=creator, day=today())
    assert (row.unique_viewers, row.followers_gained, row.followers_lost) == (2, 0, 0)
