"""Account mail delivery: through the `profiles.mail_send` task, and still delivered when the
broker cannot take the task."""

from __future__ import annotations

import pytest
from kombu.exceptions import OperationalError
from rest_framework.test import APIClient

from profiles.tasks import mail_send
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _ask_reset(capture) -> int:  # noqa: ANN001
    with capture(execute=True):
        return (
            APIClient()
            .post("/api/auth/password-reset", {"email": "maya@example.com"}, format="json")
            .status_code
        )


def test_a_reset_mail_goes_through_the_task(smtp, monkeypatch, django_capture_on_commit_callbacks):  # noqa: ANN001
    UserFactory(email="maya@example.com", raw_password="correct-horse-battery")
    queued: list[dict] = []
    original = mail_send.delay
    monkeypatch.setattr(
        mail_send, "delay", lambda **kwargs: queued.append(kwargs) or original(**kwargs)
    )

    assert _ask_reset(django_capture_on_commit_callbacks) == 202

    assert [m["to"] for m in queued] == ["maya@example.com"]
    assert smtp.wait_for("maya@example.com").subject == "Reset your password"


def test_when_the_broker_is_unreachable_the_web_process_sends_the_mail(
    smtp, monkeypatch, django_capture_on_commit_callbacks
):  # noqa: ANN001
    UserFactory(email="maya@example.com", raw_password="correct-horse-battery")

    def broker_down(**kwargs: str) -> None:
        raise OperationalError("Error 111 connecting to the broker")

    monkeypatch.setattr(mail_send, "delay", broker_down)

    assert _ask_reset(django_capture_on_commit_callbacks) == 202
    assert smtp.wait_for("maya@example.com").link("/reset/")


def test_when_nothing_can_send_the_answer_is_still_the_same(
    settings, monkeypatch, django_capture_on_commit_callbacks
):  # noqa: ANN001
    """No account enumeration through errors: a dead SMTP server does not turn into a 500."""
    UserFactory(email="maya@example.com", raw_password="correct-horse-battery")
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2

    def broker_down(**kwargs: str) -> None:
        raise OperationalError("Error 111 connecting to the broker")

    monkeypatch.setattr(mail_send, "delay", broker_down)

    assert _ask_reset(django_capture_on_commit_callbacks) == 202
