"""Account tasks: housekeeping, and delivering account mail off the request path."""

from __future__ import annotations

import smtplib

from celery import shared_task
from django.contrib.sessions.models import Session
from django.utils import timezone

from profiles.services.account_mail import password_reset_mails_deliver
from profiles.services.mail import mail_deliver

MAIL_MAX_RETRIES = 5


@shared_task(name="profiles.sessions_clear")
def sessions_clear() -> int:
    """Delete expired sign-in sessions (Django keeps their rows until told); returns how many."""
    deleted, _ = Session.objects.filter(expire_date__lt=timezone.now()).delete()
    return deleted


@shared_task(
    name="profiles.mail_send",
    # An unreachable or refusing SMTP server is retried with backoff (30 s, 60 s, ... 8 min);
    # sending again after a lost acknowledgement may deliver twice, which is harmless here.
    autoretry_for=(smtplib.SMTPException, OSError),
    retry_backoff=30,
    retry_backoff_max=480,
    retry_jitter=False,
    max_retries=MAIL_MAX_RETRIES,
)
def mail_send(*, to: str, subject: str, body: str) -> None:
    mail_deliver(to=to, subject=subject, body=body)


@shared_task(
    name="profiles.password_reset_mails",
    autoretry_for=(smtplib.SMTPException, OSError),
    retry_backoff=30,
    retry_backoff_max=480,
    retry_jitter=False,
    max_retries=MAIL_MAX_RETRIES,
)
def password_reset_mails(*, email: str, base_url: str) -> int:
    """The reset links of the accounts using an address (looked up here, off the request)."""
    return password_reset_mails_deliver(email=email, base_url=base_url)
