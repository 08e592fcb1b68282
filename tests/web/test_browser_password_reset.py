"""A forgotten password, end to end in a browser: "Forgot password?" on the login page, the
address, "check your mail", the link in the message a real SMTP server received, a new
password, and signing in with it.

The mail takes the production path: the web server (a separate process) queues the
`profiles.password_reset_mails` task, and a real Celery worker (started here, with the web server's
environment) sends it over SMTP to this test's aiosmtpd. No seeded videos are needed, so this
test starts its own web server rather than the package's.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Callable, Iterator
from urllib.parse import urlsplit

import pytest

from profiles.models import User
from tests.conftest import child_env, start_celery_worker, start_web_server, stop_process
from tests.support.smtp import SmtpSink, smtp_sink_running
from tests.web.conftest import DESKTOP_VIEWPORT, _pages_checked_for_csp_violations
from tests.web.helpers import WAIT_TIMEOUT_MS, eventually

pytestmark = [pytest.mark.browser]

USERNAME = "web_reset_maya"
ADDRESS = "reset-maya@example.com"
OLD_PASSWORD = "correct-horse-battery"
NEW_PASSWORD = "purple-otter-lantern-42"
MAIL_WAIT_SECONDS = 60


def _at(path: str) -> Callable[[str], bool]:
    """A URL matcher for this exact path (a glob would also match `/login?next=<path>`)."""
    return lambda url: urlsplit(url).path == path


@pytest.fixture
def smtp_sink() -> Iterator[SmtpSink]:
    yield from smtp_sink_running()


@pytest.fixture
def account(django_db_setup, django_db_blocker) -> Iterator[object]:  # noqa: ANN001
    """Committed (the web server is another process), and deleted afterwards."""
    from tests.factories import UserFactory

    with django_db_blocker.unblock():
        user = UserFactory(username=USERNAME, email=ADDRESS, raw_password=OLD_PASSWORD)
    yield user
    with django_db_blocker.unblock():
        type(user).objects.filter(pk=user.pk).delete()


@pytest.fixture
def mail_server_env(django_db_setup, smtp_sink: SmtpSink) -> dict[str, str]:  # noqa: ANN001
    """The web server's and the worker's environment: the test database, Redis and store, and
    SMTP to the sink."""
    return child_env(
        DEBUG="0",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SESSION_COOKIE_SECURE="0",
        CSRF_COOKIE_SECURE="0",
        CELERY_TASK_ALWAYS_EAGER="0",
        EMAIL_HOST=smtp_sink.host,
        EMAIL_PORT=str(smtp_sink.port),
        EMAIL_USE_TLS="0",
        EMAIL_USE_SSL="0",
        SITE_URL="",
        PYTHONUNBUFFERED="1",
        LOG_LEVEL="WARNING",
    )


@pytest.fixture
def reset_site(mail_server_env: dict[str, str], tmp_path) -> Iterator[str]:  # noqa: ANN001
    worker = start_celery_worker(env=mail_server_env, log_path=tmp_path / "worker.log")
    try:
        server, url = start_web_server(
            env=mail_server_env, log_path=tmp_path / "daphne.log", ready_path="/login"
        )
        try:
            yield url
        finally:
            stop_process(server)
    finally:
        stop_process(worker)


@pytest.fixture
def reset_page(reset_site: str, browser) -> Iterator[object]:  # noqa: ANN001
    context = browser.new_context(base_url=reset_site, viewport=DESKTOP_VIEWPORT)
    yield from _pages_checked_for_csp_violations(context)


def test_a_forgotten_password_is_reset_through_the_mailed_link(
    reset_page, account, smtp_sink: SmtpSink, tmp_path
) -> None:  # noqa: ANN001
    page = reset_page
    page.goto("/login")
    page.get_by_role("link", name="Forgot password?").click()
    page.wait_for_url(_at("/password-reset"), timeout=WAIT_TIMEOUT_MS)

    page.fill("#email", ADDRESS)
    page.get_by_role("button", name="Send the link").click()
    page.wait_for_url(_at("/password-reset/sent"), timeout=WAIT_TIMEOUT_MS)
    assert page.get_by_role("heading", name="Check your mail").is_visible()

    mail = smtp_sink.wait_for(ADDRESS, timeout_s=MAIL_WAIT_SECONDS)
    # Sent by the worker, off the request path (not by a fallback in the web server).
    worker_log = tmp_path / "worker.log"
    assert eventually(
        lambda: re.search(
            r"profiles\.password_reset_mails\[[^\]]+\] succeeded", worker_log.read_text()
        )
    )
    link = mail.link("/reset/")
    page.goto(link)
    # The token came in the fragment and is gone from the address bar once read.
    page.locator("#new_password").wait_for(state="visible", timeout=WAIT_TIMEOUT_MS)
    assert urlsplit(page.url).fragment == ""
    page.fill("#new_password", NEW_PASSWORD)
    page.get_by_role("button", name="Save the password").click()
    page.wait_for_url(_at("/reset/done"), timeout=WAIT_TIMEOUT_MS)

    # The link is spent.
    page.goto(link)
    page.get_by_role("heading", name="This link no longer works").wait_for(
        state="visible", timeout=WAIT_TIMEOUT_MS
    )

    page.goto("/login?next=/settings")
    page.fill("#username", USERNAME)
    page.fill("#password", NEW_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(_at("/settings"), timeout=WAIT_TIMEOUT_MS)
    page.wait_for_function(
        "() => document.querySelector('#display_name') !== null", timeout=WAIT_TIMEOUT_MS
    )
    assert page.input_value("#new_email") == ""
    assert ADDRESS in page.text_content("[data-role=email-current]")


def test_the_settings_page_edits_the_profile_privacy_and_password_then_deletes_the_account(
    reset_page, account, django_db_blocker
) -> None:  # noqa: ANN001
    page = reset_page
    page.goto("/login?next=/settings")
    page.fill("#username", USERNAME)
    page.fill("#password", OLD_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(_at("/settings"), timeout=WAIT_TIMEOUT_MS)

    page.fill("#display_name", "Maya Settings")
    page.fill("#bio", "edited in the browser")
    page.get_by_role("button", name="Save profile").click()
    page.wait_for_function(
        "() => document.getElementById('toast').textContent === 'Profile saved'",
        timeout=WAIT_TIMEOUT_MS,
    )
    page.check("#is_private")
    page.wait_for_function(
        "() => document.getElementById('toast').textContent === 'Your account is private'",
        timeout=WAIT_TIMEOUT_MS,
    )

    page.fill("#old_password", "not-my-password")
    page.fill("#new_password", NEW_PASSWORD)
    page.get_by_role("button", name="Change password").click()
    page.wait_for_function(
        "() => document.querySelector('[data-field=old_password]').textContent !== ''",
        timeout=WAIT_TIMEOUT_MS,
    )
    page.fill("#old_password", OLD_PASSWORD)
    page.get_by_role("button", name="Change password").click()
    page.wait_for_function(
        "() => document.getElementById('toast').textContent === 'Password changed'",
        timeout=WAIT_TIMEOUT_MS,
    )
    with django_db_blocker.unblock():
        stored = User.objects.get(username=USERNAME)
        assert (stored.display_name, stored.bio, stored.is_private) == (
            "Maya Settings",
            "edited in the browser",
            True,
        )
        assert stored.check_password(NEW_PASSWORD)

    # Download your data: a real worker makes the archive; the card offers it when ready.
    page.get_by_role("button", name="Ask for my data").click()
    download = page.locator("[data-role=export-download]")
    download.wait_for(state="visible", timeout=60_000)
    archive = page.request.get(download.get_attribute("href"))
    assert archive.status == 200 and archive.headers["content-type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(archive.body())) as zipped:
        account_record = json.loads(zipped.read("account.json"))[0]
    assert (account_record["username"], account_record["display_name"]) == (
        USERNAME,
        "Maya Settings",
    )
    assert page.get_by_role("button", name="Ask for my data").is_disabled() is False

    # Still signed in after the change: on to deletion, which wants the username typed.
    page.get_by_role("link", name="Delete my account…").click()
    page.wait_for_url(_at("/settings/delete"), timeout=WAIT_TIMEOUT_MS)
    page.fill("#password", NEW_PASSWORD)
    delete = page.get_by_role("button", name="Delete my account")
    page.fill("#confirm_username", "someone-else")
    assert delete.is_disabled()
    page.fill("#confirm_username", USERNAME)
    assert delete.is_enabled()
    delete.click()
    page.wait_for_url(_at("/"), timeout=WAIT_TIMEOUT_MS)
    with django_db_blocker.unblock():
        assert not User.objects.filter(username=USERNAME).exists()
