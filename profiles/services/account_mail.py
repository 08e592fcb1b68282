"""The mails an account gets: a password-reset link, an address-verification link, a notice
that the address changed. Built here (`mail_outbox` queues them), and the reset mails of an
address looked up and sent here (by the `profiles.password_reset_mails` task)."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.template.loader import render_to_string

from profiles.models import User
from profiles.services.mail import mail_address_allowance, mail_deliver
from profiles.tokens import email_verification_tokens, password_reset_tokens, uid_encode
from tiktok.allowances import allowance_refund


@dataclass(frozen=True)
class AccountMail:
    to: str
    subject: str
    body: str


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
    """The page's address with the token in its fragment, which browsers never send: a token in
    the path stayed valid for an hour in every access log it passed (the web server's, a
    proxy's), for whoever reads them to set the password first."""
    return f"{base_url}/reset/{uid_encode(user)}#{password_reset_tokens.make_token(user)}"


def email_verification_link(*, user: User, base_url: str) -> str:
    token = email_verification_tokens.make_token(user)
    return f"{base_url}/verify-email/{uid_encode(user)}/{token}"


def password_reset_mail(*, user: User, base_url: str) -> AccountMail:
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
    return AccountMail(to=user.email, subject="Reset your password", body=body)


def email_verification_mail(*, user: User, base_url: str) -> AccountMail:
    body = render_to_string(
        "mail/email_verification.txt",
        {
            "name": _display(user),
            "username": user.username,
            "link": email_verification_link(user=user, base_url=base_url),
            "site": base_url,
        },
    )
    return AccountMail(to=user.email, subject="Confirm your email address", body=body)


def email_changed_notice(*, user: User, old_email: str, base_url: str) -> AccountMail:
    """Tell the previous address that the account moved away from it (so a hijack is noticed)."""
    body = render_to_string(
        "mail/email_changed.txt",
        {"name": _display(user), "username": user.username, "site": base_url},
    )
    return AccountMail(to=old_email, subject="Your email address was changed", body=body)


def password_reset_mails_deliver(*, email: str, base_url: str) -> int:
    """Send a reset link to every active account with this address that has a password (one
    mail per account); returns how many were sent."""
    sent = 0
    for user in User.objects.filter(email__iexact=email.strip(), is_active=True).order_by("pk"):
        if not (user.has_usable_password() and user.email):
            continue
        # Counted against the stored address, however the asker spelt it; given back when the
        # mail server cannot take it (the task retries: each try spent one, and after three
        # the retry that got through found the allowance gone and sent nothing).
        taken = mail_address_allowance(email=user.email)
        if taken.allowed:
            mail = password_reset_mail(user=user, base_url=base_url)
            try:
                mail_deliver(to=mail.to, subject=mail.subject, body=mail.body)
            except Exception:
                allowance_refund(taken)
                raise
            sent += 1
    return sent
