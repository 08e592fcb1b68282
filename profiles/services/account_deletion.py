"""Closing an account: the owner deletes it, with everything it made."""

from __future__ import annotations

from django.db import connection, transaction

from profiles.models import User
from profiles.services.passwords import password_confirm


@transaction.atomic
def account_delete(*, user: User, password: str) -> None:
    """The owner deletes their account, confirmed with its password (`account_erase`)."""
    password_confirm(user=user, password=password)
    account_erase(user=user)


@transaction.atomic
def account_erase(*, user: User) -> None:
    """Delete the account with everything it made: its owner's deletion, or an operator's (the
    user admin: an erasure request, a spam account).

    The rows go with it by CASCADE (videos, likes, comments, follows, the API token, feed
    history), once the counts they were part of on what outlives the account came down
    (`videos.receivers.on_account_deleting`); its reports stay, anonymous. The files follow
    their rows once this commits (`videos.receivers` deletes each video's prefix,
    `profiles.receivers` the avatar)."""
    # The row is locked before any count comes down: a second deletion of the same account
    # at once (a double click, its owner and an operator) waits here for the first to commit,
    # finds nothing left and does nothing, instead of taking the counts down a second time.
    account = User.objects.select_for_update().filter(pk=user.pk).first()
    if account is None:
        return
    with connection.cursor() as cursor:
        # The follows to this account go with it and move no count but its own: the count
        # trigger skips them (profiles/migrations/0010) instead of locking each follower.
        cursor.execute("SELECT set_config('profiles.erasing_account', %s, true)", [str(account.pk)])
    account.delete()
