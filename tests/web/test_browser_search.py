"""The search page in a real browser: typed results from the API, a tab per kind, and
suggestions under the box as one types."""

from __future__ import annotations

import pytest

from tests.web.helpers import WAIT_TIMEOUT_MS

pytestmark = [pytest.mark.browser, pytest.mark.django_db]


def test_search_shows_videos_accounts_and_suggestions(desktop_page, web_seed) -> None:  # noqa: ANN001
    page = desktop_page
    alice = web_seed.users["alice"].username
    page.goto("/search?q=sunset")
    page.wait_for_selector(
        ".search-section[data-kind=videos] .video-grid li", timeout=WAIT_TIMEOUT_MS
    )
    page.goto(f"/search?q={alice}&type=users")
    page.wait_for_selector(
        f'.search-section[data-kind=users] a[href="/@{alice}"]', timeout=WAIT_TIMEOUT_MS
    )
    assert page.locator(".search-tabs [aria-selected=true]").inner_text() == "Accounts"
    page.fill("#search-form input[name=q]", alice[:-2])
    page.wait_for_selector(f'#search-suggestions a[href="/@{alice}"]', timeout=WAIT_TIMEOUT_MS)
    assert page.locator("#search-form input[name=q]").get_attribute("aria-expanded") == "true"
