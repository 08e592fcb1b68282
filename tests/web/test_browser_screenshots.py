"""Screenshots of the feed (phone 390x844 and desktop 1280x800) with real processed clips.

Written to WEB_SCREENSHOTS_DIR when set (`WEB_SCREENSHOTS_DIR=docs/screenshots` refreshes the
README images), else to the test's temporary folder.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.web.helpers import active_video_id, wait_feed_playing

pytestmark = [pytest.mark.browser, pytest.mark.django_db]
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _shoot(page, web_seed, path: Path) -> Path:  # noqa: ANN001
    page.goto("/")
    wait_feed_playing(page, 0)
    # Prefer the sunset clip for the picture when the feed served it.
    wanted = web_seed.videos["sunset"].pk
    for index in range(1, page.evaluate("() => window.reelsFeed.count")):
        if active_video_id(page) == wanted:
            break
        page.keyboard.press("j")
        wait_feed_playing(page, index)
    page.wait_for_timeout(600)  # let the smooth scroll settle
    page.screenshot(path=str(path))
    return path


@pytest.mark.parametrize(
    ("page_fixture", "name"),
    [("mobile_page", "feed-mobile.png"), ("desktop_page", "feed-desktop.png")],
)
def test_feed_screenshot(request, web_seed, tmp_path, page_fixture, name):  # noqa: ANN001
    page = request.getfixturevalue(page_fixture)
    target_dir = Path(os.environ.get("WEB_SCREENSHOTS_DIR") or tmp_path)
    target_dir.mkdir(parents=True, exist_ok=True)

    path = _shoot(page, web_seed, target_dir / name)

    assert path.read_bytes()[:8] == PNG_MAGIC
    assert page.locator(".slide.active [data-role=caption]").inner_text()
