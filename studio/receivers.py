"""How studio reacts to profiles' follow events: each start and end of a follow is appended to
the follow log that the daily rollups count followers gained and lost from."""

from __future__ import annotations

from typing import Any

from studio.services import follow_change_record, follow_changes_account_closing


def on_follow_created(sender: Any, *, follower: Any, followee: Any, **kwargs: Any) -> None:
    follow_change_record(follower=follower, followee=followee, delta=1)


def on_follow_removed(sender: Any, *, follower: Any, followee: Any, **kwargs: Any) -> None:
    follow_change_record(follower=follower, followee=followee, delta=-1)


def on_account_deleting(sender: Any, instance: Any, **kwargs: Any) -> None:
    follow_changes_account_closing(user_id=instance.pk)
