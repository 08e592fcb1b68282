"""Studio writes outside the rollups: the follow log."""

from __future__ import annotations

import secrets
from typing import Any

from django.utils import timezone

from profiles.selectors import followee_ids
from studio.models import FollowChange


def follow_change_record(*, follower: Any, followee: Any, delta: int) -> FollowChange:
    """Append one follow start (+1) or end (-1) to the log."""
    return FollowChange.objects.create(
        follower_id=follower.pk, followee_id=followee.pk, delta=delta, created_at=timezone.now()
    )


def follow_changes_of_follower(*, user_id: int, delta: int) -> int:
    """Log each follow the account holds as ending (-1: it was suspended, its follows left
    every follower count) or starting again (+1: reinstated); returns how many."""
    now = timezone.now()
    changes = FollowChange.objects.bulk_create(
        [
            FollowChange(follower_id=user_id, followee_id=followee, delta=delta, created_at=now)
            for followee in followee_ids(user_id=user_id)
        ]
    )
    return len(changes)


def follow_changes_account_closing(*, user_id: int, active: bool = True) -> int:
    """An account is being deleted: each follow it held ends (-1), as an unfollow would have
    logged (its Follow rows go by CASCADE, which sends no follow_removed), unless the account
    is suspended (`active` false: its follows were logged as ending then), and its rows in the
    log are re-keyed to an id no account has (a random negative one), so creators' counts of
    followers gained and lost stay right while nothing links the rows to the person any more.
    Returns how many follows ended."""
    ended = follow_changes_of_follower(user_id=user_id, delta=-1) if active else 0
    anonymous_id = -1 - secrets.randbelow(2**62)
    FollowChange.objects.filter(follower_id=user_id).update(follower_id=anonymous_id)
    return ended
