"""Follows and blocks in the Django admin go through profiles' graph services."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from profiles.events import follow_removed
from profiles.models import Block, Follow, FollowRequest, User
from tests.factories import FollowFactory, UserFactory
from tests.support.admin_forms import superuser_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def ended_follows() -> Iterator[list[tuple[str, str]]]:
    """(follower, followee) of every follow_removed event sent."""
    heard: list[tuple[str, str]] = []

    def receiver(sender, *, follower: User, followee: User, **kwargs) -> None:  # noqa: ANN001, ANN003
        heard.append((follower.username, followee.username))

    follow_removed.connect(receiver, dispatch_uid="tests.profiles.admin_graph")
    yield heard
    follow_removed.disconnect(dispatch_uid="tests.profiles.admin_graph")


def test_a_block_added_in_the_admin_ends_follows_and_requests_both_ways(
    ended_follows,  # noqa: ANN001
    django_capture_on_commit_callbacks,  # noqa: ANN001
) -> None:
    alice, bob, carol = UserFactory(), UserFactory(), UserFactory(is_private=True)
    FollowFactory(follower=bob, followee=alice)
    FollowFactory(follower=alice, followee=bob)
    FollowRequest.objects.create(requester=carol, target=alice)
    FollowRequest.objects.create(requester=alice, target=carol)

    with django_capture_on_commit_callbacks(execute=True):
        client = superuser_client()
        first = client.post("/admin/profiles/block/add/", {"blocker": alice.pk, "blocked": bob.pk})
        second = client.post(
            "/admin/profiles/block/add/", {"blocker": carol.pk, "blocked": alice.pk}
        )

    assert first.status_code == second.status_code == 302
    assert Block.objects.filter(blocker=alice, blocked=bob).exists()
    assert not Follow.objects.filter(follower=bob, followee=alice).exists()
    assert not Follow.objects.filter(follower=alice, followee=bob).exists()
    assert not FollowRequest.objects.filter(requester__in=[alice, carol]).exists()
    assert sorted(ended_follows) == sorted(
        [(alice.username, bob.username), (bob.username, alice.username)]
    )


def test_the_admin_refuses_an_account_blocking_itself() -> None:
    alice = UserFactory()

    response = superuser_client().post(
        "/admin/profiles/block/add/", {"blocker": alice.pk, "blocked": alice.pk}
    )

    assert response.status_code == 200
    assert "an account cannot block itself" in response.content.decode()
    assert not Block.objects.exists()


def test_a_block_is_removed_in_the_admin_and_cannot_be_edited() -> None:
    alice, bob = UserFactory(), UserFactory()
    block = Block.objects.create(blocker=alice, blocked=bob)
    client = superuser_client()

    edit = client.post(
        f"/admin/profiles/block/{block.pk}/change/",
        {"blocker": bob.pk, "blocked": alice.pk},
    )
    block.refresh_from_db()
    assert edit.status_code == 403
    assert (block.blocker_id, block.blocked_id) == (alice.pk, bob.pk)

    removed = client.post(f"/admin/profiles/block/{block.pk}/delete/", {"post": "yes"})
    assert removed.status_code == 302
    assert not Block.objects.exists()


def test_the_admin_cannot_add_a_follow_so_a_blocked_user_cannot_follow_a_private_account() -> None:
    alice, bob = UserFactory(is_private=True), UserFactory()
    Block.objects.create(blocker=alice, blocked=bob)
    client = superuser_client()

    response = client.post(
        "/admin/profiles/follow/add/", {"follower": bob.pk, "followee": alice.pk}
    )

    assert response.status_code == 403
    assert not Follow.objects.exists()
    changelist = client.get("/admin/profiles/follow/").content.decode()
    assert "/admin/profiles/follow/add/" not in changelist


def test_a_follow_removed_in_the_admin_is_announced(
    ended_follows,  # noqa: ANN001
    django_capture_on_commit_callbacks,  # noqa: ANN001
) -> None:
    one = FollowFactory()
    two = FollowFactory()
    client = superuser_client()

    with django_capture_on_commit_callbacks(execute=True):
        page = client.post(f"/admin/profiles/follow/{one.pk}/delete/", {"post": "yes"})
        bulk = client.post(
            "/admin/profiles/follow/",
            {"action": "delete_selected", "_selected_action": [two.pk], "post": "yes"},
        )

    assert page.status_code == bulk.status_code == 302
    assert not Follow.objects.exists()
    assert sorted(ended_follows) == sorted(
        [
            (one.follower.username, one.followee.username),
            (two.follower.username, two.followee.username),
        ]
    )
