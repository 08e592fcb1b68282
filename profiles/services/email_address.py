"""An account's email address: changing it, and verifying it through a mailed link (optional:
ACCOUNT_EMAIL_VERIFICATION)."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from profiles.models import User
from profiles.services.account_mail import email_changed_notice, email_verification_mail
from profiles.services.mail import mail_address_allowance_take
from profiles.services.mail_outbox import mail_queue
from profiles.services.passwords import password_confirm
from profiles.tokens import email_verification_tokens, user_for_uid
from tiktok.errors import InvalidInput, RateLimited

MAX_EMAIL_CHARS = 254


def email_verification_enabled() -> bool:
    return settings.ACCOUNT_EMAIL_VERIFICATION != "off"


def email_verification_start(*, user: User, base_url: str) -> bool:
    """Mail a verification link to the account's address when verification is on and the
    address is not verified yet; returns whether a mail was queued."""
    if not email_verification_enabled() or not user.email or user.email_verified_at:
        return False
    if not mail_address_allowance_take(email=user.email):
        return False
    mail_queue(email_verification_mail(user=user, base_url=base_url))
    return True


def email_verification_resend(*, user: User, base_url: str) -> None:
    """The owner asks for another verification mail (settings page)."""
    if not email_verification_enabled():
        raise InvalidInput("email verification is turned off", code="verification_off")
    if not user.email:
        raise InvalidInput("the account has no email address", code="no_email")
    if user.email_verified_at:
        raise InvalidInput("this address is already verified", code="already_verified")
    if not email_verification_start(user=user, base_url=base_url):
        raise RateLimited(
            "a verification mail went to this address several times this hour; try again later",
            retry_after_seconds=3600,
            code="too_many_mails",
        )


@transaction.atomic
def user_email_change(*, user: User, email: str, password: str, base_url: str) -> User:
    """Give the account a new address (empty: none), confirmed with the current password.

    The new address is unverified until its link is followed (links mailed to the old one stop
    working), and the old address is told of the change."""
    password_confirm(user=user, password=password)
    email = email.strip()
    if email:
        if len(email) > MAX_EMAIL_CHARS:
            raise ValidationError({"email": [f"use at most {MAX_EMAIL_CHARS} characters"]})
        try:
            validate_email(email)
        except ValidationError as exc:
            raise ValidationError({"email": exc.messages}) from exc
    if email == user.email:
        return user
    old_email = user.email
    user.email = email
    user.email_verified_at = None
    user.save(update_fields=["email", "email_verified_at"])
    # Counted against the old address's mails this hour like every account mail: switching an
    # account's address to someone's and away again, over and over, would mail them each time.
    if (
        old_email
        and old_email.casefold() != email.casefold()
        and mail_address_allowance_take(email=old_email)
    ):
        mail_queue(email_changed_notice(user=user, old_email=old_email, base_url=base_url))
    email_verification_start(user=user, base_url=base_url)
    return user


def email_verify(*, uidb64: str, token: str) -> User:
    """Mark the address a mailed link was sent to as verified (InvalidInput `invalid_token`
    when the link is malformed, expired, or the address changed since)."""
    user = user_for_uid(uidb64)
    if user is None or not email_verification_tokens.check_token(user, token):
        raise InvalidInput("this verification link is invalid or has expired", code="invalid_token")
    if user.email_verified_at is None:
        # Only while the address is still the one the link was for (it may change meanwhile).
        User.objects.filter(pk=user.pk, email=user.email, email_verified_at=None).update(
            email_verified_at=timezone.now()
        )
        user.refresh_from_db(fields=["email", "email_verified_at"])
    return user
