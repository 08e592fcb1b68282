"""The mails an account gets (a password-reset link, an address-verification link, a notice
that the address changed), handed to the `profiles.mail_send` task once the change that caused
them is committed."""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string

from profiles.models import User
from profiles.services.mail import mail_deliver
from profiles.tasks import mail_send
from profiles.tokens import email_verification_tokens, password_reset_tokens, uid_encode

logger = logging.getLogger(__name__)


def _mail_queue(*, to: str, subject: str, body: str) -> None:
    def hand_off() -> None:
        try:
            mail_send.delay(to=to, subject=subject, body=body)
            return
        except Exception:  # noqa: BLE001 - the broker is down: the person still gets the mail
            logger.warning("mail task not queued; sending in this process", exc_info=True)
        try:
            mail_deliver(to=to, subject=subject, body=body)
        except Exception:  # noqa: BLE001 - the change stands; they can ask for the mail again
            logger.exception("could not send %r to %s", subject, to)

    transaction.on_commit(hand_off)


def _duration_words(seconds: int) -> str:
    if seconds % 86400 == 0:
        days = seconds // 86400
        return f"{days} day{'s' if days != 1 else ''}"
    if seconds % 3600 == 0:
        hours = seconds // 3600
        return f"{hours} hour{'s' if hours != 1 else ''}"
    minutes = max(1, seconds // 60)
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


def _display(user: User) -> str:
    return user.display_name or user.username


def password_reset_link(*, user: User, base_url: str) -> str:
    return f"{base_url}/reset/{uid_encode(user)}/{password_reset_tokens.make_token(user)}"


def email_verification_link(*, user: User, base_url: str) -> str:
    token = email_verification_tokens.make_token(user)
    return f"{base_url}/verify-email/{uid_encode(user)}/{token}"


def password_reset_mail_send(*, user: User, base_url: str) -> None:
    body = render_to_string(
        "mail/password_reset.txt",
        {
            "name": _display(user),
            "username": user.username,
            "link": password_reset_link(user=user, base_url=base_url),
            "site": base_url,
            "valid_for": _duration_words(settings.PASSWORD_RESET_TIMEOUT),
        },
    )
    _mail_queue(to=user.email, subject="Reset your password", body=body)


def email_verification_mail_send(*, user: User, base_url: str) -> None:
    body = render_to_string(
        "mail/email_verification.txt",
        {
            "name": _display(user),
            "username": user.username,
            "link": email_verification_link(user=user, base_url=base_url),
            "site": base_url,
        },
    )
    _mail_queue(to=user.email, subject="Confirm your email address", body=body)


def email_changed_notice_send(*, user: User, old_email: str, base_url: str) -> None:
    """Tell the previous address that the account moved away from it (so a hijack is noticed)."""
    body = render_to_string(
        "mail/email_changed.txt",
        {"name": _display(user), "username": user.username, "site": base_url},
    )
    _mail_queue(to=old_email, subject="Your email address was changed", body=body)
