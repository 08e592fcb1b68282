"""Delivering account mail: one message to one address, and how many an address may get."""

from __future__ import annotations

import hashlib
import time

from django.conf import settings
from django.core.cache import cache
from django.core.mail import send_mail

KEY_PREFIX = "account-mail"
WINDOW_SECONDS = 3600


def mail_deliver(*, to: str, subject: str, body: str) -> None:
    """Send one plain-text message now (raises what the mail backend raises: SMTP errors)."""
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [to], fail_silently=False)


def mail_address_allowance_take(*, email: str, now: float | None = None) -> bool:
    """Count one account mail to this address; False when it already had
    ACCOUNT_MAILS_PER_ADDRESS_PER_HOUR this hour (the message should not be sent). Counted
    whether or not an account uses the address, so the answers do not tell."""
    digest = hashlib.sha256(email.strip().casefold().encode()).hexdigest()
    window = int((time.time() if now is None else now) // WINDOW_SECONDS)
    key = f"{KEY_PREFIX}:{digest}:{window}"
    cache.add(key, 0, timeout=WINDOW_SECONDS + 60)
    try:
        sent = cache.incr(key)
    except ValueError:  # expired between the two calls
        cache.add(key, 1, timeout=WINDOW_SECONDS + 60)
        sent = 1
    return sent <= settings.ACCOUNT_MAILS_PER_ADDRESS_PER_HOUR
