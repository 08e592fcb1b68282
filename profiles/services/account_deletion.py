"""Closing an account: the owner deletes it, with everything it made."""

from __future__ import annotations

from django.db import transaction

from profiles.models import User
from profiles.services.passwords import password_confirm


@transaction.atomic
def account_delete(*, user: User, password: str) -> None:
    """Delete the account, confirmed with its password.

    The rows go with it by CASCADE (videos, likes, comments, follows, the API token, feed
    history); the files follow their rows once this commits (`videos.receivers` deletes each
    video's prefix, `profiles.receivers` the avatar)."""
    password_confirm(user=user, password=password)
    User.objects.get(pk=user.pk).delete()
