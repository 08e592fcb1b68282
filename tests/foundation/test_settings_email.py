"""Mail settings: files under var/mail/ with nothing configured, SMTP once EMAIL_HOST is set,
and refusals of settings that cannot work."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from tests.conftest import BASE_DIR

DUMP = (
    "import json, django; from django.conf import settings; django.setup();"
    "print(json.dumps({k: str(getattr(settings, k)) for k in ("
    "'EMAIL_BACKEND', 'EMAIL_FILE_PATH', 'EMAIL_HOST', 'EMAIL_PORT', 'EMAIL_USE_TLS',"
    "'EMAIL_TIMEOUT', 'SITE_URL', 'ACCOUNT_EMAIL_VERIFICATION')}))"
)
MAIL_VARIABLES = ("EMAIL_BACKEND", "EMAIL_HOST", "EMAIL_PORT", "EMAIL_USE_TLS", "EMAIL_USE_SSL")


def _settings(**overrides: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in MAIL_VARIABLES}
    env.update(DJANGO_SETTINGS_MODULE="tiktok.settings", DEBUG="1", **overrides)
    return subprocess.run(
        [sys.executable, "-c", DUMP],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _values(**overrides: str) -> dict:
    result = _settings(**overrides)
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_with_nothing_configured_mail_is_written_to_files_under_var() -> None:
    values = _values()

    assert values["EMAIL_BACKEND"] == "django.core.mail.backends.filebased.EmailBackend"
    assert values["EMAIL_FILE_PATH"].endswith("/mail")
    assert values["ACCOUNT_EMAIL_VERIFICATION"] == "optional"


def test_an_smtp_host_turns_on_smtp_with_the_port_its_tls_mode_implies() -> None:
    values = _values(EMAIL_HOST="smtp.example.org", EMAIL_USE_TLS="1", SITE_URL="https://x.org/")

    assert values["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert (values["EMAIL_HOST"], values["EMAIL_PORT"]) == ("smtp.example.org", "587")
    assert values["SITE_URL"] == "https://x.org"


def test_tls_and_ssl_together_or_an_unknown_verification_mode_are_refused() -> None:
    both = _settings(EMAIL_HOST="smtp.example.org", EMAIL_USE_TLS="1", EMAIL_USE_SSL="1")
    assert both.returncode != 0 and "EMAIL_USE_TLS and EMAIL_USE_SSL" in both.stderr
    mode = _settings(ACCOUNT_EMAIL_VERIFICATION="mandatory")
    assert mode.returncode != 0 and "ACCOUNT_EMAIL_VERIFICATION" in mode.stderr
