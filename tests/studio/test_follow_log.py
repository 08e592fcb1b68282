"""Follows starting and ending (unfollow, removing a follower, a block) land in the follow log
that followers gained and lost are counted from."""

from __future__ import annotations

import pytest

from profiles.services.graph import block_create, follow_create, follow_delete, follower_remove
from studio.models import FollowChange
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def changes(creator) -> list[tuple[int, int]]:  # noqa: ANN001
    return list(
        FollowChange.objects.filter(followee=creator)
        .order_by("id")
        .values_list("follower_id", "delta")
    )


def test_follow_and_unfollow_are_logged(django_capture_on_commit_callbacks):  # noqa: ANN001
    creator, fan = UserFactory(), UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        follow_create(follower=fan, followee=creator)
    with django_capture_on_commit_callbacks(execute=True):
        follow_delete(follower=fan, followee=creator)
    with django_capture_on_commit_callbacks(execute=True):
        follow_delete(follower=fan, followee=creator)  # no follow: nothing ends
    assert changes(creator) == [(fan.pk, 1), (fan.pk, -1)]


def test_removing_a_follower_and_blocking_end_follows(django_capture_on_commit_callbacks):  # noqa: ANN001
    creator, first, second = UserFactory(), UserFactory(), UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        follow_create(follower=first, followee=creator)
        follow_create(follower=second, followee=creator)
    with django_capture_on_commit_callbacks(execute=True):
        follower_remove(user=creator, follower=first)
    with django_capture_on_commit_callbacks(execute=True):
        block_create(blocker=creator, blocked=second)
    assert changes(creator) == [(first.pk, 1), (second.pk, 1), (first.pk, -1), (second.pk, -1)]


def test_a_follow_request_counts_only_once_approved(django_capture_on_commit_callbacks):  # noqa: ANN001
    from profiles.services.graph import follow_request_approve

    creator, fan = UserFactory(is_private=True), UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        follow_create(follower=fan, followee=creator)
    assert changes(creator) == []
    with django_capture_on_commit_callbacks(execute=True):
        follow_request_approve(target=creator, requester=fan)
    assert changes(creator) == [(fan.pk, 1)]
