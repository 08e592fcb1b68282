"""The Content-Security-Policy in a real browser: every page (the app's, the admin's, the API's
docs and browsable views) works under it without a violation, and an injected inline script is
blocked. (Every other browser test also fails on any violation: tests/web/conftest.py.)"""

from __future__ import annotations

import pytest

from tests.web.conftest import _pages_checked_for_csp_violations, log_in
from tests.web.helpers import WAIT_TIMEOUT_MS, wait_feed_playing

pytestmark = [pytest.mark.browser, pytest.mark.django_db]


def _open(page, path: str) -> None:  # noqa: ANN001
    response = page.goto(path)
    assert response is not None and response.ok, (path, response and response.status)
    policy = response.headers.get("content-security-policy", "")
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy.split("style-src")[0]


def test_every_page_works_under_the_policy(desktop_page, web_seed) -> None:  # noqa: ANN001
    page = desktop_page
    for path in ("/login", "/register", "/admin/login/"):
        _open(page, path)
        page.wait_for_load_state("networkidle")
    log_in(page, web_seed.users["viewer"].username)
    _open(page, "/")
    wait_feed_playing(page)
    creator = web_seed.users["alice"].username
    video = web_seed.videos["hostile"]
    for path in ("/upload", "/search?q=sunset", f"/@{creator}", f"/v/{video.pk}", "/following"):
        _open(page, path)
        page.wait_for_load_state("networkidle")
    assert page.evaluate("() => window.__pwned") is None
    # Swagger UI, served from this site, renders the schema.
    _open(page, "/api/docs")
    page.wait_for_selector(".swagger-ui .information-container", timeout=WAIT_TIMEOUT_MS)
    # DRF's browsable API (its inline styles are allowed under /api/ only).
    page.goto("/api/tags", wait_until="networkidle")
    assert page.locator(".response-info").count() == 1


def test_an_injected_inline_script_is_blocked_and_reported(browser, live_url) -> None:  # noqa: ANN001
    context = browser.new_context(base_url=live_url)
    pages = _pages_checked_for_csp_violations(context)
    page = next(pages)
    page.goto("/login")
    with page.expect_console_message(lambda message: "csp-violation" in message.text):
        page.evaluate(
            """() => {
              const script = document.createElement("script");
              script.textContent = "window.__ran = true";
              document.body.append(script);
            }"""
        )
    assert page.evaluate("() => window.__ran") is None
    with pytest.raises(AssertionError, match="script-src"):
        next(pages, None)
