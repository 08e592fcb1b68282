"""Social-graph writes: follow (or request to follow a private account), approve and deny
requests, remove a follower, make an account private or public, block."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import IntegrityError, connection, transaction
from django.db.models import Q

from profiles.events import (
    follow_created_announce,
    follow_removed_announce,
    follow_request_approved_announce,
    follow_requested_announce,
)
from profiles.models import Block, Follow, FollowRequest, User
from profiles.selectors import blocked_either_way, follower_count
from tiktok.db.sql import table
from tiktok.errors import Forbidden, InvalidInput, NotFound


@dataclass(frozen=True)
class FollowResult:
    following: bool
    followers: int
    requested: bool = False


def _accounts_lock(*users: User) -> dict[int, bool]:
    """Lock the accounts' rows (in id order, so two writers never wait on each other) for the
    rest of the transaction; returns each one's current is_private. A follow, an approval, a
    block and a change of privacy between the same people then happen one after another: a
    follow decided on a copy read before the account went private skipped its approval."""
    # FOR NO KEY UPDATE: a plain FOR UPDATE also waits for (and deadlocks with) every open
    # transaction that inserted a row referencing the account (a follow, a notification).
    rows = (
        User.objects.select_for_update(no_key=True)
        .filter(pk__in=sorted({user.pk for user in users}))
        .order_by("pk")
        .values_list("pk", "is_private")
    )
    return dict(rows)


def _follow_insert(*, follower: User, followee: User) -> bool:
    """Create the follow row; True when it is new (a racing duplicate is not)."""
    try:
        with transaction.atomic():
            _, created = Follow.objects.get_or_create(follower=follower, followee=followee)
    except IntegrityError:  # a racing duplicate follow: the row exists, which is the goal
        return False
    return created


@transaction.atomic
def follow_create(*, follower: User, followee: User) -> FollowResult:
    """Follow a creator, or ask to when their account is private (a pending request the owner
    approves or denies). Following twice, or asking again while a request waits, is a no-op."""
    if follower.pk == followee.pk:
        raise InvalidInput("you cannot follow yourself", code="cannot_follow_self")
    private = _accounts_lock(follower, followee).get(followee.pk, followee.is_private)
    if blocked_either_way(follower, followee):
        raise Forbidden("you cannot follow this account", code="blocked")
    if Follow.objects.filter(follower=follower, followee=followee).exists():
        return FollowResult(following=True, followers=follower_count(followee))
    if private:
        _, created = FollowRequest.objects.get_or_create(requester=follower, target=followee)
        if created:
            follow_requested_announce(requester=follower, target=followee)
        return FollowResult(following=False, followers=follower_count(followee), requested=True)
    if _follow_insert(follower=follower, followee=followee):
        follow_created_announce(follower=follower, followee=followee)
    return FollowResult(following=True, followers=follower_count(followee))


@transaction.atomic
def follow_delete(*, follower: User, followee: User) -> FollowResult:
    """Unfollow, or withdraw a pending request; either when there is none is a no-op. The two
    accounts are locked first, as every graph write locks them: a block between them at the
    same moment deadlocked (it held the accounts and waited for the follow row, this held the
    row and its count trigger waited for the account), and a withdrawal racing the owner's
    approval answered "not following" and left a follow."""
    _accounts_lock(follower, followee)
    deleted, _ = Follow.objects.filter(follower=follower, followee=followee).delete()
    if deleted:
        follow_removed_announce(follower=follower, followee=followee)
    FollowRequest.objects.filter(requester=follower, target=followee).delete()
    return FollowResult(following=False, followers=follower_count(followee))


@transaction.atomic
def follow_request_approve(*, target: User, requester: User) -> bool:
    """The owner of a private account lets a requester follow them (NotFound when there is no
    such pending request)."""
    _accounts_lock(target, requester)
    deleted, _ = FollowRequest.objects.filter(requester=requester, target=target).delete()
    if not deleted:
        raise NotFound("no pending follow request from this user", code="no_follow_request")
    if _follow_insert(follower=requester, followee=target):
        follow_created_announce(follower=requester, followee=target)
        follow_request_approved_announce(requester=requester, target=target)
    return True


@transaction.atomic
def follow_request_deny(*, target: User, requester: User) -> bool:
    """Refuse a request: it is deleted, and the requester is not told (they may ask again)."""
    _accounts_lock(target, requester)
    deleted, _ = FollowRequest.objects.filter(requester=requester, target=target).delete()
    if not deleted:
        raise NotFound("no pending follow request from this user", code="no_follow_request")
    return False


@transaction.atomic
def follower_remove(*, user: User, follower: User) -> int:
    """Remove someone from your followers (they are not told; on a private account they must
    ask again). Returns the follower count."""
    _accounts_lock(user, follower)  # as follow_delete: a block racing it deadlocked
    deleted, _ = Follow.objects.filter(follower=follower, followee=user).delete()
    if deleted:
        follow_removed_announce(follower=follower, followee=user)
    return follower_count(user)


@transaction.atomic
def account_privacy_set(*, user: User, private: bool) -> User:
    """Make an account private or public. Going public approves every pending request, as the
    requesters asked to follow and nothing stands in the way any more."""
    locked = User.objects.select_for_update(no_key=True).get(pk=user.pk)
    if locked.is_private == private:
        user.is_private = private
        return user
    locked.is_private = private
    locked.save(update_fields=["is_private"])
    user.is_private = private
    if not private:
        for request in FollowRequest.objects.filter(target=locked).select_related("requester"):
            # Only a request still there: one denied or withdrawn since it was read is not
            # turned into a follow.
            deleted, _ = FollowRequest.objects.filter(pk=request.pk).delete()
            if deleted and _follow_insert(follower=request.requester, followee=locked):
                follow_created_announce(follower=request.requester, followee=locked)
                follow_request_approved_announce(requester=request.requester, target=locked)
    return user


@transaction.atomic
def block_create(*, blocker: User, blocked: User) -> bool:
    """Block a user: their videos and comments vanish for the blocker (and the blocker's for
    them, see videos.visibility), and follows and follow requests both ways are removed."""
    if blocker.pk == blocked.pk:
        raise InvalidInput("you cannot block yourself", code="cannot_block_self")
    _accounts_lock(blocker, blocked)
    Block.objects.get_or_create(blocker=blocker, blocked=blocked)
    follows = Follow.objects.filter(
        Q(follower=blocker, followee=blocked) | Q(follower=blocked, followee=blocker)
    )
    ended = set(follows.values_list("follower_id", flat=True))
    follows.delete()
    for follower, followee in ((blocker, blocked), (blocked, blocker)):
        if follower.pk in ended:
            follow_removed_announce(follower=follower, followee=followee)
    FollowRequest.objects.filter(
        Q(requester=blocker, target=blocked) | Q(requester=blocked, target=blocker)
    ).delete()
    return True


def block_delete(*, blocker: User, blocked: User) -> bool:
    """Unblock; follows removed by the block are not restored."""
    Block.objects.filter(blocker=blocker, blocked=blocked).delete()
    return False


def follower_counts_recount() -> int:
    """Set every account's `follower_count` from the follow rows (its active followers), as
    migrations/0008_follower_count.py did; for a bulk load made with the count triggers off.
    Returns how many accounts changed."""
    users, follows = table(User), table(Follow)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {users} u SET follower_count = COALESCE(c.n, 0) "
            f"FROM {users} t LEFT JOIN (SELECT f.followee_id, count(*) AS n FROM {follows} f "
            f"JOIN {users} fu ON fu.id = f.follower_id AND fu.is_active "
            "GROUP BY f.followee_id) c ON c.followee_id = t.id "
            "WHERE u.id = t.id AND u.follower_count IS DISTINCT FROM COALESCE(c.n, 0)"
        )
        return cursor.rowcount
