"""How studio reacts to profiles' follow events: each start and end of a follow is appended to
the follow log that the daily rollups count followers gained and lost from. A follower's
suspension ends its follows there and its reinstatement starts them again, as the follower
counts (active followers) leave it out and take it back."""

from __future__ import annotations

from typing import Any

from profiles.models import User
from studio.services import (
    follow_change_record,
    follow_changes_account_closing,
    follow_changes_of_follower,
)


def _active(account: Any) -> bool:
    """Whether the account is active now (the follower counts count only active followers)."""
    return User.objects.filter(pk=account.pk, is_active=True).exists()


def on_follow_created(sender: Any, *, follower: Any, followee: Any, **kwargs: Any) -> None:
    # A suspended account's request approved (its target went public) is a follow the count
    # leaves out: it starts in the log when the account is reinstated.
    if _active(follower):
        follow_change_record(follower=follower, followee=followee, delta=1)


def on_follow_removed(sender: Any, *, follower: Any, followee: Any, **kwargs: Any) -> None:
    # A suspended follower's follows were logged as ending at the suspension (they left the
    # follower count then); removing one now (a block, a removed follower) ends nothing more.
    if _active(follower):
        follow_change_record(follower=follower, followee=followee, delta=-1)


def on_account_suspended(sender: Any, *, user: Any, **kwargs: Any) -> None:
    follow_changes_of_follower(user_id=user.pk, delta=-1)


def on_account_reinstated(sender: Any, *, user: Any, **kwargs: Any) -> None:
    follow_changes_of_follower(user_id=user.pk, delta=1)


def on_account_deleting(sender: Any, instance: Any, **kwargs: Any) -> None:
    follow_changes_account_closing(user_id=instance.pk, active=instance.is_active)
