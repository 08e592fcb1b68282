"""Suspending an account (moderation's decision) and reinstating it: sign-ins, the API token
and open sessions stop working while it is suspended."""

from __future__ import annotations

from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.db import transaction
from django.utils import timezone

from profiles.events import account_reinstated_announce, account_suspended_announce
from profiles.models import User
from profiles.services.accounts import user_token_revoke

SESSION_SCAN_BATCH = 2000


def user_sessions_end(*, user: User) -> int:
    """Delete the account's database sessions; returns how many. Sessions store the user id
    only inside their encoded data, so the live ones are scanned (a rare moderator action; an
    inactive user's leftover session would not sign them in anyway: the auth backend refuses
    inactive users)."""
    ended: list[str] = []
    live = Session.objects.filter(expire_date__gt=timezone.now()).only(
        "session_key", "session_data"
    )
    for session in live.iterator(chunk_size=SESSION_SCAN_BATCH):
        if str(session.get_decoded().get(SESSION_KEY)) == str(user.pk):
            ended.append(session.session_key)
    Session.objects.filter(session_key__in=ended).delete()
    return len(ended)


@transaction.atomic
def user_suspend(*, user: User) -> bool:
    """Deactivate the account, revoke its token and end its sessions; returns whether it was
    active."""
    changed = User.objects.filter(pk=user.pk, suspended_at__isnull=True).update(
        is_active=False, suspended_at=timezone.now()
    )
    user.refresh_from_db(fields=["is_active", "suspended_at"])
    user_token_revoke(user=user)
    user_sessions_end(user=user)
    if changed:
        account_suspended_announce(user=user)
    return bool(changed)


@transaction.atomic
def user_reinstate(*, user: User) -> bool:
    """Lift a suspension (the account signs in again and gets a new token then)."""
    changed = User.objects.filter(pk=user.pk, suspended_at__isnull=False).update(
        is_active=True, suspended_at=None
    )
    user.refresh_from_db(fields=["is_active", "suspended_at"])
    if changed:
        account_reinstated_announce(user=user)
    return bool(changed)
