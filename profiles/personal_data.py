"""What the profiles app stores about a person, for their data archive: the account, the
people they follow and who follow them, follow requests and blocks."""

from __future__ import annotations

from itertools import chain
from pathlib import PurePosixPath

from profiles.models import Block, Follow, FollowRequest, User
from tiktok.personal_data import Section, moment, records


def _account(user: User) -> dict:
    return {
        "username": user.username,
        "display_name": user.display_name,
        "bio": user.bio,
        "email": user.email,
        "email_verified_at": moment(user.email_verified_at),
        "is_private": user.is_private,
        "created_at": moment(user.created_at),
        "last_login": moment(user.last_login),
        "suspended_at": moment(user.suspended_at),
        "avatar": _avatar_path(user),
    }


def _avatar_path(user: User) -> str | None:
    if not user.avatar:
        return None
    return f"media/avatar{PurePosixPath(user.avatar.name).suffix.lower()}"


def personal_data(user: User) -> list[Section]:
    avatar = _avatar_path(user)
    oldest = ("created_at", "pk")
    return [
        Section(
            "account",
            "your account: name, bio, email address, privacy, when it was made",
            [_account(user)],
            files=[(avatar, user.avatar.name)] if avatar else [],
        ),
        Section(
            "following",
            "the accounts you follow, and since when",
            records(
                Follow.objects.filter(follower=user).order_by(*oldest),
                username="followee__username",
                since="created_at",
            ),
        ),
        Section(
            "followers",
            "the accounts that follow you, and since when",
            records(
                Follow.objects.filter(followee=user).order_by(*oldest),
                username="follower__username",
                since="created_at",
            ),
        ),
        Section(
            "follow_requests",
            "pending requests to follow: the ones you sent (to) and the ones you have not "
            "answered (from)",
            chain(
                records(
                    FollowRequest.objects.filter(requester=user).order_by(*oldest),
                    to="target__username",
                    at="created_at",
                ),
                records(
                    FollowRequest.objects.filter(target=user).order_by(*oldest),
                    **{"from": "requester__username", "at": "created_at"},
                ),
            ),
        ),
        Section(
            "blocks",
            "the accounts you blocked",
            records(
                Block.objects.filter(blocker=user).order_by(*oldest),
                username="blocked__username",
                since="created_at",
            ),
        ),
    ]
