"""Reads of accounts and the social graph: a user by name, a profile's header, who follows and
who blocks whom."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from profiles.models import Block, Follow, User
from profiles.viewers import is_signed_in
from tiktok.errors import NotFound


def user_by_username(*, username: str) -> User:
    """An active user by username (case-insensitive, as registration is), else NotFound."""
    user = User.objects.filter(username__iexact=username, is_active=True).first()
    if user is None:
        raise NotFound("no such user")
    return user


def user_active_by_username(*, username: str) -> User | None:
    """An active user by exact username (profile URLs), or None."""
    return User.objects.filter(username=username, is_active=True).first()


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


def follower_count(user: User) -> int:
    return Follow.objects.filter(followee=user).count()


def following_count(user: User) -> int:
    return Follow.objects.filter(follower=user).count()


def blocked_either_way(a: User, b: User) -> bool:
    return Block.objects.filter(Q(blocker=a, blocked=b) | Q(blocker=b, blocked=a)).exists()


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


def profile_header(*, user: User, viewer: Any) -> dict[str, Any]:
    """Who the user is and how they relate to the viewer: identity, follower counts and the
    viewer's follow/block state (apps above add what they count, e.g. videos and likes).

    A user the viewer has blocked shows only their name (so they can be unblocked): no bio,
    picture or counts (`restricted`). One who has blocked the viewer is not shown at all
    (`user_for_viewer`)."""
    following = is_self = blocked = False
    if is_signed_in(viewer):
        is_self = viewer.pk == user.pk
        following = Follow.objects.filter(follower=viewer, followee=user).exists()
        blocked = Block.objects.filter(blocker=viewer, blocked=user).exists()
    if blocked:
        return {
            "id": user.pk,
            "username": user.username,
            "display_name": user.username,
            "bio": "",
            "avatar_url": None,
            "counts": {"followers": 0, "following": 0},
            "viewer": {"following": False, "is_self": False, "blocked": True},
            "is_private": user.is_private,
            "restricted": True,
        }
    return {
        "id": user.pk,
        "username": user.username,
        "display_name": user.display_name or user.username,
        "bio": user.bio,
        "avatar_url": user.avatar.url if user.avatar else None,
        "counts": {"followers": follower_count(user), "following": following_count(user)},
        "viewer": {"following": following, "is_self": is_self, "blocked": blocked},
        "is_private": user.is_private,
        "restricted": False,
    }
