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


def test_a_suspension_ends_the_followers_follows_and_a_reinstatement_starts_them(
    django_capture_on_commit_callbacks,  # noqa: ANN001
):
    """Suspended followers leave the follower count; the log said they were still gained, so
    500 suspended bots stayed +500 in Studio. Removing a suspended follower or deleting the
    account logs no second end."""
    from profiles.services.account_deletion import account_erase
    from profiles.services.suspension import user_reinstate, user_suspend

    creator, other, bot, spammer = UserFactory(), UserFactory(), UserFactory(), UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        for follower in (bot, spammer):
            follow_create(follower=follower, followee=creator)
        follow_create(follower=bot, followee=other)
    with django_capture_on_commit_callbacks(execute=True):
        user_suspend(user=bot)
        user_suspend(user=spammer)
        user_suspend(user=spammer)  # already suspended: nothing more
    assert changes(creator) == [(bot.pk, 1), (spammer.pk, 1), (bot.pk, -1), (spammer.pk, -1)]
    assert changes(other) == [(bot.pk, 1), (bot.pk, -1)]

    with django_capture_on_commit_callbacks(execute=True):
        user_reinstate(user=bot)
    with django_capture_on_commit_callbacks(execute=True):
        follower_remove(user=creator, follower=spammer)  # still suspended
    with django_capture_on_commit_callbacks(execute=True):
        block_create(blocker=other, blocked=bot)  # active again: its follow ends
    user_suspend(user=spammer)
    account_erase(user=spammer)

    assert [delta for _, delta in changes(creator)] == [1, 1, -1, -1, 1]
    assert [delta for _, delta in changes(other)] == [1, -1, 1, -1]


def test_studio_counts_a_suspended_follower_as_lost_as_the_follower_count_does(
    client_for,  # noqa: ANN001
    django_capture_on_commit_callbacks,  # noqa: ANN001
):
    from django.utils import timezone

    from profiles.services.suspension import user_suspend
    from studio.rollups import rollup_day

    creator, bots = UserFactory(), [UserFactory() for _ in range(3)]
    with django_capture_on_commit_callbacks(execute=True):
        for bot in bots:
            follow_create(follower=bot, followee=creator)
    with django_capture_on_commit_callbacks(execute=True):
        for bot in bots[:2]:
            user_suspend(user=bot)
    rollup_day(day=timezone.now().date())

    studio = client_for(creator).get("/api/studio/overview").json()
    me = client_for(creator).get("/api/me/analytics").json()

    assert studio["followers"]["total"] == me["followers"]["total"] == 1
    assert studio["totals"]["followers_net"] == 1
    assert (studio["totals"]["followers_gained"], studio["totals"]["followers_lost"]) == (3, 2)


def test_a_suspended_requester_approved_by_going_public_starts_following_when_reinstated(
    django_capture_on_commit_callbacks,  # noqa: ANN001
):
    """Going public approves every pending request, a suspended account's too: the follower
    count leaves that follow out until the reinstatement, and so does the log (it logged +1 at
    the approval and +1 again at the reinstatement; erased while suspended, +1 forever)."""
    from profiles.models import FollowRequest, User
    from profiles.services.account_deletion import account_erase
    from profiles.services.graph import account_privacy_set
    from profiles.services.suspension import user_reinstate, user_suspend

    creator, requester, erased = UserFactory(is_private=True), UserFactory(), UserFactory()
    for account in (requester, erased):
        FollowRequest.objects.create(requester=account, target=creator)
    with django_capture_on_commit_callbacks(execute=True):
        user_suspend(user=requester)
        user_suspend(user=erased)
    with django_capture_on_commit_callbacks(execute=True):
        account_privacy_set(user=creator, private=False)
    assert changes(creator) == []
    with django_capture_on_commit_callbacks(execute=True):
        user_reinstate(user=User.objects.get(pk=requester.pk))
    account_erase(user=User.objects.get(pk=erased.pk))

    assert changes(creator) == [(requester.pk, 1)]
    assert User.objects.get(pk=creator.pk).follower_count == 1
