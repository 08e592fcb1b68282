"""Social-graph writes: follow and block."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Q

from profiles.models import Block, Follow, User
from profiles.selectors import blocked_either_way, follower_count
from tiktok.errors import Forbidden, InvalidInput


@dataclass(frozen=True)
class FollowResult:
    following: bool
    followers: int


def follow_create(*, follower: User, followee: User) -> FollowResult:
    """Follow a creator; following twice is a no-op."""
    if follower.pk == followee.pk:
        raise InvalidInput("you cannot follow yourself", code="cannot_follow_self")
    if blocked_either_way(follower, followee):
        raise Forbidden("you cannot follow this account", code="blocked")
    try:
        with transaction.atomic():
            Follow.objects.get_or_create(follower=follower, followee=followee)
    except IntegrityError:  # a racing duplicate follow: the row exists, which is the goal
        pass
    return FollowResult(following=True, followers=follower_count(followee))


def follow_delete(*, follower: User, followee: User) -> FollowResult:
    """Unfollow; unfollowing someone not followed is a no-op."""
    Follow.objects.filter(follower=follower, followee=followee).delete()
    return FollowResult(following=False, followers=follower_count(followee))


@transaction.atomic
def block_create(*, blocker: User, blocked: User) -> bool:
    """Block a user: their videos and comments vanish for the blocker (and the blocker's for
    them, see videos.visibility), and follows both ways are removed."""
    if blocker.pk == blocked.pk:
        raise InvalidInput("you cannot block yourself", code="cannot_block_self")
    Block.objects.get_or_create(blocker=blocker, blocked=blocked)
    Follow.objects.filter(
        Q(follower=blocker, followee=blocked) | Q(follower=blocked, followee=blocker)
    ).delete()
    return True


def block_delete(*, blocker: User, blocked: User) -> bool:
    """Unblock; follows removed by the block are not restored."""
    Block.objects.filter(blocker=blocker, blocked=blocked).delete()
    return False
