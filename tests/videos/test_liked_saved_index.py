"""A person's Liked and Saved tabs page from an index on (user, created_at, id), newest first,
instead of sorting every like or save they ever made on each page."""

from __future__ import annotations

import pytest

from tests.factories import LikeFactory, SaveFactory, UserFactory, VideoFactory
from tests.support.planner import plan_preferring_indexes
from videos.selectors.creators import user_liked, user_saved

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("factory", "index"), [(LikeFactory, "like_user_recent"), (SaveFactory, "save_user_recent")]
)
def test_a_page_of_likes_or_saves_walks_the_persons_index(factory, index) -> None:  # noqa: ANN001
    person = UserFactory()
    for _ in range(3):
        factory(user=person, video=VideoFactory())
    rows = (
        user_liked(user=person, viewer=None)
        if index.startswith("like")
        else user_saved(user=person)
    )
    sql, params = rows.order_by("-created_at", "-id")[:10].query.sql_with_params()
    plan = plan_preferring_indexes(sql, params)
    assert index in plan, plan
    assert "Sort" not in plan, plan
