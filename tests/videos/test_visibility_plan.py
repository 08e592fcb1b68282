"""Visibility asks "is the owner's account private?" of every candidate video on every feed
read; the answer must come from the index of private accounts, never from reading every
account (a hashed subplan over the accounts table costs O(accounts) per statement)."""

from __future__ import annotations

import pytest
from django.db import connection

from tests.factories import UserFactory, VideoFactory
from tests.support.planner import plan_preferring_indexes
from videos.models import Video
from videos.visibility import anyone_may_see_sql, visible_videos, visible_where

pytestmark = pytest.mark.django_db

PRIVATE_INDEX = "user_private_idx"


@pytest.fixture
def videos() -> list[int]:
    private = UserFactory(is_private=True)
    return [VideoFactory().pk, VideoFactory(owner=private).pk]


@pytest.mark.parametrize("signed_in", [True, False])
def test_the_visibility_condition_reads_private_accounts_from_their_index(videos, signed_in):
    viewer = UserFactory() if signed_in else None
    where, params = visible_where(viewer=viewer)
    table = connection.ops.quote_name(Video._meta.db_table)

    plan = plan_preferring_indexes(
        f"SELECT id FROM {table} WHERE id = ANY(%s) AND ({where})", [videos, *params]
    )

    assert PRIVATE_INDEX in plan
    # The condition still means what it says: the private account's video is left out.
    visible = visible_videos(viewer=viewer).filter(pk__in=videos).values_list("pk", flat=True)
    assert list(visible) == [videos[0]]


def test_lists_anyone_sees_read_private_accounts_from_their_index(videos):
    plan = plan_preferring_indexes(
        f"SELECT v.id FROM videos_video v WHERE {anyone_may_see_sql('v')}", []
    )

    assert PRIVATE_INDEX in plan
