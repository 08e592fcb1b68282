"""Handing account mail to Celery once the change that caused it is committed, so no request
waits for an SMTP server; when the broker cannot take the task, the web process sends it."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import transaction

from profiles.services.account_mail import AccountMail, password_reset_mails_deliver
from profiles.services.mail import mail_deliver
from profiles.tasks import mail_send, password_reset_mails

logger = logging.getLogger(__name__)


def _hand_off(queue: Callable[[], object], send_here: Callable[[], object], what: str) -> None:
    def hand_off() -> None:
        try:
            queue()
            return
        except Exception:  # noqa: BLE001 - the broker is down: the person still gets the mail
            logger.warning("%s not queued; sending in this process", what, exc_info=True)
        try:
            send_here()
        except Exception:  # noqa: BLE001 - the change stands; they can ask for the mail again
            logger.exception("could not send %s", what)

    transaction.on_commit(hand_off)


def mail_queue(mail: AccountMail) -> None:
    fields = {"to": mail.to, "subject": mail.subject, "body": mail.body}
    _hand_off(
        lambda: mail_send.delay(**fields),
        lambda: mail_deliver(**fields),
        f"{mail.subject!r} (the address stays out of the log)",
    )


def password_reset_mails_queue(*, email: str, base_url: str) -> None:
    """Whether any account uses the address is found out in the task, so the request does the
    same work (and takes as long) either way."""
    _hand_off(
        lambda: password_reset_mails.delay(email=email, base_url=base_url),
        lambda: password_reset_mails_deliver(email=email, base_url=base_url),
        "password reset mail",
    )
