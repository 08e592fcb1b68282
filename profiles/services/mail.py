"""Delivering account mail: one message to one address, and how many an address may get."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.mail import send_mail

from tiktok.allowances import Taken, allowance_take

KEY_PREFIX = "account-mail"
WINDOW_SECONDS = 3600


def mail_deliver(*, to: str, subject: str, body: str) -> None:
    """Send one plain-text message now (raises what the mail backend raises: SMTP errors)."""
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [to], fail_silently=False)


def mail_address_allowance_take(*, email: str, now: float | None = None) -> bool:
    """Count one account mail to this mailbox; False when it already had
    ACCOUNT_MAILS_PER_ADDRESS_PER_HOUR in the last hour (the message should not be sent).
    Counted whether or not an account uses the address, so the answers do not tell. The
    mailbox, not the address as written: "victim+1@gmail.com", "Vic.Tim@googlemail.com" and
    "victim@gmail.com" are one inbox, and one allowance (`mailbox_key`)."""
    return mail_address_allowance(email=email, now=now).allowed


def mail_address_allowance(*, email: str, now: float | None = None) -> Taken:
    """`mail_address_allowance_take`'s count, as the `Taken` that `allowance_refund` gives
    back (a mail that could not be sent)."""
    digest = hashlib.sha256(mailbox_key(email).encode()).hexdigest()
    return allowance_take(
        f"{KEY_PREFIX}:{digest}",
        limit=settings.ACCOUNT_MAILS_PER_ADDRESS_PER_HOUR,
        window_s=WINDOW_SECONDS,
        now=now,
    )


# Providers that ignore dots in the name part (Gmail): "v.i.c.t.i.m" is "victim".
DOTS_IGNORED = {"gmail.com", "googlemail.com"}
SAME_MAILBOXES = {"googlemail.com": "gmail.com"}


def mailbox_key(email: str) -> str:
    """The inbox an address delivers to, as far as the common providers tell: case folded,
    a "+tag" dropped (sub-addressing: Gmail, Outlook, iCloud, Fastmail, Proton...), Gmail's
    dots dropped."""
    local, at, domain = email.strip().casefold().rpartition("@")
    if not at:
        return email.strip().casefold()
    local = local.split("+", 1)[0] or local
    domain = domain.rstrip(".")
    if domain in DOTS_IGNORED:
        local = local.replace(".", "")
    return f"{local}@{SAME_MAILBOXES.get(domain, domain)}"
