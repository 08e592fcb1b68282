"""Reads of accounts and the social graph: a user by name, a profile's header, who follows and
who blocks whom."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from profiles.models import Block, Follow, FollowRequest, User
from profiles.viewers import is_signed_in
from tiktok.errors import Forbidden, NotFound


def user_by_username(*, username: str) -> User:
    """An active user by username (case-insensitive, as registration is), else NotFound."""
    user = User.objects.filter(username__iexact=username, is_active=True).first()
    if user is None:
        raise NotFound("no such user")
    return user


def user_active_by_username(*, username: str) -> User | None:
    """An active user by username, whatever its case (profile URLs, "@Maria"), or None."""
    return User.objects.filter(username__iexact=username, is_active=True).first()


def user_blocks_viewer(*, user: User, viewer: Any) -> bool:
    """Whether this user has blocked the viewer (to whom the account then does not exist)."""
    if not is_signed_in(viewer) or viewer.pk == user.pk:
        return False
    return Block.objects.filter(blocker=user, blocked=viewer).exists()


def user_for_viewer(*, username: str, viewer: Any) -> User:
    """An active user by username as this viewer may see them: NotFound, as for a name with no
    account, when the user has blocked the viewer."""
    user = user_by_username(username=username)
    if user_blocks_viewer(user=user, viewer=viewer):
        raise NotFound("no such user")
    return user


def user_blocked_by_viewer(*, username: str, viewer: Any) -> User:
    """Someone the viewer blocked, by username (whatever its case), even when they blocked the
    viewer back or are suspended: unblocking must reach them. NotFound, as for a name with no
    account, for anyone else the viewer may not see; otherwise the user."""
    block = (
        Block.objects.filter(blocker=viewer, blocked__username__iexact=username)
        .select_related("blocked")
        .first()
        if is_signed_in(viewer)
        else None
    )
    if block is not None:
        return block.blocked
    return user_for_viewer(username=username, viewer=viewer)


def follower_of(*, user: User, username: str) -> User:
    """One of the user's followers by username (whatever its case), even a suspended one: a
    private account must be able to remove a follower who would regain its videos when
    reinstated. NotFound when that account does not follow the user."""
    follow = (
        Follow.objects.filter(followee=user, follower__username__iexact=username)
        .select_related("follower")
        .first()
    )
    if follow is None:
        raise NotFound("no such follower", code="not_a_follower")
    return follow.follower


def followee_of(*, user: User, username: str) -> User:
    """Someone the user follows or asked to follow, by username (whatever its case), even a
    suspended one: unfollowing must reach an account that would come back with its follow when
    reinstated. Anyone else as `user_for_viewer` finds them (a block already removed any follow
    or request between the two)."""
    asked = Exists(Follow.objects.filter(follower=user, followee=OuterRef("pk"))) | Exists(
        FollowRequest.objects.filter(requester=user, target=OuterRef("pk"))
    )
    followee = User.objects.filter(asked, username__iexact=username).first()
    if followee is not None:
        return followee
    return user_for_viewer(username=username, viewer=user)


def follower_count(user: User) -> int:
    """Followers whose accounts are active: the ones the followers list shows (the column the
    triggers of migrations/0008_follower_count.py keep, read afresh)."""
    return User.objects.filter(pk=user.pk).values_list("follower_count", flat=True).first() or 0


def following_count(user: User) -> int:
    """Accounts followed that are active: the ones the following list shows."""
    return Follow.objects.filter(follower=user, followee__is_active=True).count()


def blocked_either_way(a: User, b: User) -> bool:
    return Block.objects.filter(Q(blocker=a, blocked=b) | Q(blocker=b, blocked=a)).exists()


def active_user_ids(*, user_ids: Iterable[int]) -> set[int]:
    """Of these accounts, those shown to anyone: active and not suspended (one query)."""
    return set(
        User.objects.filter(
            pk__in=list(user_ids), is_active=True, suspended_at__isnull=True
        ).values_list("pk", flat=True)
    )


def hidden_user_ids(*, viewer: Any) -> set[int]:
    """Users this viewer does not see (their comments, say): blocked by them, or blocking them."""
    if not is_signed_in(viewer):
        return set()
    ids: set[int] = set()
    for blocker_id, blocked_id in Block.objects.filter(
        Q(blocker=viewer) | Q(blocked=viewer)
    ).values_list("blocker_id", "blocked_id"):
        ids.add(blocked_id if blocker_id == viewer.pk else blocker_id)
    return ids


def not_blocked_either_way_sql(user_column: str, viewer_placeholder: str) -> str:
    """An SQL condition: the user in `user_column` and the viewer, whose id the query passes at
    `viewer_placeholder` (twice: "%s", or once by name: "%(viewer_id)s"), have not blocked
    each other, whichever way."""
    blocks = Block._meta.db_table
    return (
        f"NOT EXISTS (SELECT 1 FROM {blocks} blk WHERE (blk.blocker_id = {viewer_placeholder} "
        f"AND blk.blocked_id = {user_column}) OR (blk.blocked_id = {viewer_placeholder} "
        f"AND blk.blocker_id = {user_column}))"
    )


def viewer_follows(*, user: User, viewer: Any) -> bool:
    return is_signed_in(viewer) and Follow.objects.filter(follower=viewer, followee=user).exists()


def profile_locked(*, user: User, viewer: Any) -> bool:
    """Whether the viewer sees only this account's header: it is private and the viewer is
    neither its owner nor an approved follower (their videos, likes and lists stay hidden)."""
    if not user.is_private:
        return False
    if is_signed_in(viewer) and viewer.pk == user.pk:
        return False
    return not viewer_follows(user=user, viewer=viewer)


def user_unlocked_for(*, user: User, viewer: Any) -> User:
    """The user, when the viewer may see their videos and lists; Forbidden (403
    `private_account`) for a private account the viewer does not follow."""
    if profile_locked(user=user, viewer=viewer):
        raise Forbidden(
            "this account is private: only approved followers see its videos and lists",
            code="private_account",
        )
    return user


def followers_of(*, user: User) -> QuerySet[Follow]:
    """Follow rows of the user's followers (active accounts), newest first."""
    return (
        Follow.objects.filter(followee=user, follower__is_active=True)
        .select_related("follower")
        .order_by("-created_at", "-id")
    )


def following_of(*, user: User) -> QuerySet[Follow]:
    """Follow rows of the accounts the user follows (active accounts), newest first."""
    return (
        Follow.objects.filter(follower=user, followee__is_active=True)
        .select_related("followee")
        .order_by("-created_at", "-id")
    )


def followee_ids(*, user_id: int) -> list[int]:
    """Everyone the account follows, whatever their state (suspended ones included)."""
    return list(Follow.objects.filter(follower_id=user_id).values_list("followee_id", flat=True))


def follow_requests_for(*, target: User) -> QuerySet[FollowRequest]:
    """Pending requests to follow this (private) account, newest first."""
    return (
        FollowRequest.objects.filter(target=target, requester__is_active=True)
        .select_related("requester")
        .order_by("-created_at", "-id")
    )


def user_card(user: User) -> dict[str, Any]:
    """A user as a list item: who they are and their picture."""
    return {
        "id": user.pk,
        "username": user.username,
        "display_name": user.display_name or user.username,
        "avatar_url": user.avatar.url if user.avatar else None,
    }


def profile_header(*, user: User, viewer: Any) -> dict[str, Any]:
    """Who the user is and how they relate to the viewer: identity, follower counts and the
    viewer's follow/block state (apps above add what they count, e.g. videos and likes).

    A user the viewer has blocked shows only their name (so they can be unblocked): no bio,
    picture or counts (`restricted`). One who has blocked the viewer is not shown at all
    (`user_for_viewer`). A private account the viewer does not follow is `locked`: the header
    is shown, its videos and lists are not."""
    following = is_self = blocked = requested = False
    if is_signed_in(viewer):
        is_self = viewer.pk == user.pk
        following = Follow.objects.filter(follower=viewer, followee=user).exists()
        blocked = Block.objects.filter(blocker=viewer, blocked=user).exists()
        requested = (
            not following
            and user.is_private
            and FollowRequest.objects.filter(requester=viewer, target=user).exists()
        )
    if blocked:
        return {
            "id": user.pk,
            "username": user.username,
            "display_name": user.username,
            "bio": "",
            "avatar_url": None,
            "counts": {"followers": 0, "following": 0},
            "viewer": {
                "following": False,
                "requested": False,
                "is_self": False,
                "blocked": True,
            },
            "restricted": True,
            "is_private": user.is_private,
            "locked": True,
        }
    return {
        "id": user.pk,
        "username": user.username,
        "display_name": user.display_name or user.username,
        "bio": user.bio,
        "avatar_url": user.avatar.url if user.avatar else None,
        "counts": {"followers": follower_count(user), "following": following_count(user)},
        "viewer": {
            "following": following,
            "requested": requested,
            "is_self": is_self,
            "blocked": blocked,
        },
        "restricted": False,
        "is_private": user.is_private,
        # A private account the viewer does not follow: the header only (name, picture, bio,
        # counts), as on every platform with private accounts.
        "locked": user.is_private and not (is_self or following),
    }
