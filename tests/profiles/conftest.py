"""Fixtures of the account tests: a real SMTP server that Django's SMTP backend sends to."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.smtp import SmtpSink, smtp_sink_running


@pytest.fixture
def smtp(settings, celery_eager) -> Iterator[SmtpSink]:  # noqa: ANN001
    """An aiosmtpd server on 127.0.0.1 and Django's SMTP backend pointed at it. The mail task
    runs in this process (Celery eager), so a message is in the sink once the request's
    transaction commits (wrap requests in `django_capture_on_commit_callbacks(execute=True)`)."""
    for sink in smtp_sink_running():
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = sink.host
        settings.EMAIL_PORT = sink.port
        settings.EMAIL_HOST_USER = ""
        settings.EMAIL_HOST_PASSWORD = ""
        settings.EMAIL_USE_TLS = False
        settings.EMAIL_USE_SSL = False
        settings.EMAIL_TIMEOUT = 5
        settings.SITE_URL = ""
        yield sink
