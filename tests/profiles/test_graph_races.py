"""Graph writes racing one another between the same two people: one outcome each answer agrees
with, and no deadlock (every graph write locks both accounts first, in id order)."""

from __future__ import annotations

import threading

import pytest

from profiles.models import Follow, FollowRequest
from profiles.services import graph
from tests.factories import FollowFactory, UserFactory
from tests.support.concurrency import thread_start, until_another_waits

pytestmark = pytest.mark.django_db(transaction=True)


def _first_call_paused(monkeypatch, name: str) -> tuple[threading.Event, threading.Event]:  # noqa: ANN001
    """Make graph.<name>'s first call stop (inside its transaction) until released; later
    calls run as they are. Returns (reached, release)."""
    real = getattr(graph, name)
    reached, release = threading.Event(), threading.Event()
    calls = []

    def paused(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        result = real(*args, **kwargs)
        calls.append(1)
        if len(calls) == 1:
            reached.set()
            release.wait(20)
        return result

    monkeypatch.setattr(graph, name, paused)
    return reached, release


@pytest.mark.parametrize("who", ["the fan unfollows", "the creator removes the fan"])
def test_ending_a_follow_while_a_block_between_the_two_runs_does_not_deadlock(
    monkeypatch,  # noqa: ANN001
    who: str,
) -> None:
    fan, creator = UserFactory(), UserFactory()
    FollowFactory(follower=fan, followee=creator)
    reached, release = _first_call_paused(monkeypatch, "_accounts_lock")
    errors: dict[str, BaseException] = {}
    blocking = thread_start(
        errors, "block", lambda: graph.block_create(blocker=creator, blocked=fan)
    )
    assert reached.wait(20)  # the block holds both accounts
    ending = (
        (lambda: graph.follow_delete(follower=fan, followee=creator))
        if who == "the fan unfollows"
        else (lambda: graph.follower_remove(user=creator, follower=fan))
    )
    other = thread_start(errors, "end", ending)
    until_another_waits()
    release.set()
    blocking.join(30)
    other.join(30)

    assert errors == {}
    assert not Follow.objects.exists()
    creator.refresh_from_db()
    assert creator.follower_count == 0


def test_withdrawing_a_request_while_the_owner_approves_it_leaves_no_follow(monkeypatch) -> None:  # noqa: ANN001
    fan, owner = UserFactory(), UserFactory(is_private=True)
    FollowRequest.objects.create(requester=fan, target=owner)
    reached, release = _first_call_paused(monkeypatch, "_follow_insert")
    errors: dict[str, BaseException] = {}
    approving = thread_start(
        errors, "approve", lambda: graph.follow_request_approve(target=owner, requester=fan)
    )
    assert reached.wait(20)
    answers = {}
    withdrawing = thread_start(
        errors,
        "withdraw",
        lambda: answers.update(withdraw=graph.follow_delete(follower=fan, followee=owner)),
    )
    until_another_waits()
    release.set()
    approving.join(30)
    withdrawing.join(30)

    assert errors == {}
    assert answers["withdraw"].following is False
    assert not Follow.objects.filter(follower=fan, followee=owner).exists()  # as answered
    assert not FollowRequest.objects.exists()


def test_denying_a_request_while_the_account_goes_public_answers_what_happened(
    monkeypatch,  # noqa: ANN001
) -> None:
    # Going public turns the pending requests into follows one by one; a deny of one it has
    # not reached yet answered 200 and the follow was made anyway.
    owner = UserFactory(is_private=True)
    fans = [UserFactory(), UserFactory()]
    for fan in fans:
        FollowRequest.objects.create(requester=fan, target=owner)
    real_insert = graph._follow_insert
    reached, release = threading.Event(), threading.Event()
    first: list = []

    def insert(**kwargs):  # noqa: ANN003, ANN202
        created = real_insert(**kwargs)
        if not first:
            first.append(kwargs["follower"])
            reached.set()
            release.wait(20)
        return created

    monkeypatch.setattr(graph, "_follow_insert", insert)
    errors: dict[str, BaseException] = {}
    going_public = thread_start(
        errors, "public", lambda: graph.account_privacy_set(user=owner, private=False)
    )
    assert reached.wait(20)
    later = next(fan for fan in fans if fan.pk != first[0].pk)  # not reached yet
    denying = thread_start(
        errors, "deny", lambda: graph.follow_request_deny(target=owner, requester=later)
    )
    until_another_waits(timeout_s=3)  # the deny waits for the owner (it ran at once before)
    release.set()
    going_public.join(30)
    denying.join(30)

    assert "public" not in errors
    followed = Follow.objects.filter(follower=later, followee=owner).exists()
    denied = "deny" not in errors
    assert followed != denied, (followed, errors)  # the answer tells what happened
