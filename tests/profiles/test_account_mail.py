"""Account mail delivery: through the tasks (reset links by `profiles.password_reset_mails`,
which also finds the accounts; the rest by `profiles.mail_send`), and still delivered when the
broker cannot take the task."""

from __future__ import annotations

import pytest
from kombu.exceptions import OperationalError
from rest_framework.test import APIClient

from profiles.tasks import mail_send, password_reset_mails
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _ask_reset(capture, email: str = "maya@example.com") -> int:  # noqa: ANN001
    with capture(execute=True):
        return (
            APIClient()
            .post("/api/auth/password-reset", {"email": email}, format="json")
            .status_code
        )


def _recorded(monkeypatch, task) -> list[dict]:  # noqa: ANN001
    queued: list[dict] = []
    original = task.delay
    monkeypatch.setattr(task, "delay", lambda **kwargs: queued.append(kwargs) or original(**kwargs))
    return queued


def test_a_reset_is_queued_alike_for_known_and_unknown_addresses(
    smtp, monkeypatch, django_capture_on_commit_callbacks
):  # noqa: ANN001
    """The request does the same for both (the task finds out whether an account exists)."""
    UserFactory(email="maya@example.com", raw_password="correct-horse-battery")
    queued = _recorded(monkeypatch, password_reset_mails)

    assert _ask_reset(django_capture_on_commit_callbacks) == 202
    assert _ask_reset(django_capture_on_commit_callbacks, "nobody@example.com") == 202

    assert [q["email"] for q in queued] == ["maya@example.com", "nobody@example.com"]
    assert smtp.wait_for("maya@example.com").subject == "Reset your password"
    assert len(smtp.messages) == 1


def test_a_verification_mail_goes_through_the_mail_task(
    smtp, monkeypatch, django_capture_on_commit_callbacks
):  # noqa: ANN001
    queued = _recorded(monkeypatch, mail_send)

    with django_capture_on_commit_callbacks(execute=True):
        response = APIClient().post(
            "/api/auth/register",
            {"username": "maya", "password": "correct-horse-battery", "email": "m@example.com"},
            format="json",
        )

    assert response.status_code == 201
    assert [q["to"] for q in queued] == ["m@example.com"]
    assert smtp.wait_for("m@example.com").subject == "Confirm your email address"


def test_when_the_broker_is_unreachable_the_web_process_sends_the_mail(
    smtp, monkeypatch, django_capture_on_commit_callbacks
):  # noqa: ANN001
    UserFactory(email="maya@example.com", raw_password="correct-horse-battery")

    def broker_down(**kwargs: str) -> None:
        raise OperationalError("Error 111 connecting to the broker")

    monkeypatch.setattr(password_reset_mails, "delay", broker_down)

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

    monkeypatch.setattr(password_reset_mails, "delay", broker_down)

    assert _ask_reset(django_capture_on_commit_callbacks) == 202
