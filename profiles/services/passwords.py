"""Passwords: confirming the current one before a sensitive change, changing it, and resetting
a forgotten one through a mailed link."""

from __future__ import annotations

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from profiles.models import User
from profiles.services.accounts import user_token, user_token_revoke
from profiles.services.mail_outbox import password_reset_mails_queue
from profiles.services.sign_in_guard import (
    sign_in_failure_record,
    sign_in_locked_seconds,
    sign_in_success_record,
)
from profiles.tokens import password_reset_tokens, user_for_uid
from tiktok.errors import InvalidInput, RateLimited

INVALID_RESET_LINK = "this reset link is invalid or has expired; ask for a new one"


def password_confirm(*, user: User, password: str, field: str = "password") -> None:
    """Check the account's current password before a change only its owner may make (a stolen
    session alone cannot). Wrong answers count towards the sign-in lockout like wrong sign-ins,
    and a locked account is refused here too."""
    locked = sign_in_locked_seconds(username=user.username)
    if locked:
        raise RateLimited(
            f"too many wrong passwords for this account; try again in {locked} s",
            retry_after_seconds=locked,
            code="account_locked",
        )
    if not user.check_password(password):
        sign_in_failure_record(username=user.username)
        raise ValidationError({field: ["this is not your current password"]})
    # The right password ends the run of wrong ones, as a sign-in does: four typos here, then
    # one at the next sign-in, locked the account.
    sign_in_success_record(username=user.username)


def _new_password_set(*, user: User, new_password: str, field: str = "new_password") -> None:
    try:
        validate_password(new_password, user=user)
    except ValidationError as exc:
        raise ValidationError({field: exc.messages}) from exc
    user.set_password(new_password)
    user.save(update_fields=["password"])


@transaction.atomic
def user_password_change(*, user: User, old_password: str, new_password: str) -> str:
    """Change the password of a signed-in account; returns its new API token.

    Every session signed in with the old password ends (Django checks a hash of the password
    on each request: the caller keeps theirs with `update_session_auth_hash`), and the old API
    token stops working."""
    password_confirm(user=user, password=old_password, field="old_password")
    _new_password_set(user=user, new_password=new_password)
    user_token_revoke(user=user)
    return user_token(user=user)


def password_reset_request(*, email: str, base_url: str) -> None:
    """Mail a reset link to every active account with this address that has a password.

    Says nothing about whether any does: the accounts are looked up by the task, so the request
    does the same either way, and the caller answers the same. The task counts each mail
    against the address it goes to (ACCOUNT_MAILS_PER_ADDRESS_PER_HOUR), as stored: spellings
    of it that PostgreSQL matches but Python folds apart ("vıctim@" with a dotless i) each had
    an allowance of their own when the typed address was counted."""
    password_reset_mails_queue(email=email, base_url=base_url)


def password_reset_link_check(*, uidb64: str, token: str) -> None:
    """InvalidInput `invalid_token` unless the reset link still works (the page asks before
    showing the form)."""
    if not password_reset_tokens.check_token(user_for_uid(uidb64), token):
        raise InvalidInput(INVALID_RESET_LINK, code="invalid_token")


@transaction.atomic
def password_reset_confirm(*, uidb64: str, token: str, new_password: str) -> User:
    """Set a new password through a mailed link. The link is spent (the token hashes the
    password), the account's sign-in lockout is lifted, every session ends and the API token
    is revoked."""
    user = user_for_uid(uidb64)
    if user is None or not password_reset_tokens.check_token(user, token):
        raise InvalidInput(INVALID_RESET_LINK, code="invalid_token")
    user = User.objects.select_for_update().get(pk=user.pk)
    # Checked again under the lock: two requests racing with one link set one password.
    if not password_reset_tokens.check_token(user, token):
        raise InvalidInput(INVALID_RESET_LINK, code="invalid_token")
    _new_password_set(user=user, new_password=new_password)
    user_token_revoke(user=user)
    sign_in_success_record(username=user.username)
    return user
