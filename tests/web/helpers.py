"""Small page helpers shared by the browser tests."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable

WAIT_TIMEOUT_MS = 20_000


def wait_feed_playing(page, index: int = 0) -> None:  # noqa: ANN001
    """Wait until slide `index` is the active one and its video is advancing."""
    page.wait_for_function(
        """(index) => window.reelsFeed && window.reelsFeed.active === index &&
            (() => { const v = document.querySelector(`.slide[data-index="${index}"] video`);
                     return v && !v.paused && v.currentTime > 0.2; })()""",
        arg=index,
        timeout=WAIT_TIMEOUT_MS,
    )


def wait_feed_advanced(page, past: int) -> int:  # noqa: ANN001
    """Wait until a slide after `past` is active and playing; return its index."""
    page.wait_for_function(
        """(past) => window.reelsFeed && window.reelsFeed.active > past &&
            (() => { const v = document.querySelector('.slide.active video');
                     return v && !v.paused && v.currentTime > 0.2; })()""",
        arg=past,
        timeout=WAIT_TIMEOUT_MS,
    )
    return page.evaluate("() => window.reelsFeed.active")


def session_id(page) -> str:  # noqa: ANN001
    """The tab's feed session id (what its interaction events carry)."""
    return page.evaluate("() => sessionStorage.getItem('reels:session')")


def active_video_id(page) -> int:  # noqa: ANN001
    return int(page.eval_on_selector(".slide.active", "node => node.dataset.videoId"))


def touch_swipe_up(page, steps: int = 10) -> None:  # noqa: ANN001
    """A finger dragging up over half the screen, as raw touch events through the DevTools
    protocol (the browser turns them into a native scroll, then snaps)."""
    viewport = page.viewport_size
    x, start_y = viewport["width"] // 3, int(viewport["height"] * 0.75)
    step_px = int(viewport["height"] * 0.55) // steps
    session = page.context.new_cdp_session(page)
    session.send(
        "Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": x, "y": start_y}]}
    )
    for step in range(1, steps + 1):
        point = {"x": x, "y": start_y - step * step_px}
        session.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [point]})
        page.wait_for_timeout(16)
    session.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    session.detach()


def tap_slide_action(page, action: str) -> None:  # noqa: ANN001
    """Tap an action button of the playing slide where a finger would: once the feed has snapped
    to the slide, at the button's centre, which must be the button. Playwright's own click
    scrolls the element "into view" first and may retry from other scroll positions, which in a
    snapping feed can move to the next video and back."""
    page.wait_for_function(
        """() => { const feed = document.getElementById("feed");
                   const slide = document.querySelector(".slide.active");
                   return slide && Math.abs(slide.getBoundingClientRect().top
                                            - feed.getBoundingClientRect().top) < 1; }""",
        timeout=WAIT_TIMEOUT_MS,
    )
    x, y, inside = page.eval_on_selector(
        f'.slide.active [data-action="{action}"]',
        """button => { const box = button.getBoundingClientRect();
                       const x = box.x + box.width / 2, y = box.y + box.height / 2;
                       return [x, y, button.contains(document.elementFromPoint(x, y))]; }""",
    )
    assert inside, f"the {action} button of the playing slide is covered or off screen"
    page.mouse.click(x, y)


def eventually(check: Callable[[], object], timeout_s: float = 15.0, interval_s: float = 0.3):  # noqa: ANN201
    """Poll until check() returns something truthy (the server writes asynchronously)."""
    deadline = time.monotonic() + timeout_s
    while True:
        result = check()
        if result or time.monotonic() > deadline:
            return result
        time.sleep(interval_s)


class HeldRequests:
    """A slow network: requests to URLs matching `url_glob` are held until the test releases
    them, one at a time, in the order it chooses."""

    def __init__(self, page, url_glob: str) -> None:  # noqa: ANN001
        self.page = page
        self.routes: list = []
        self.ended: list = []
        page.route(url_glob, lambda route: self.routes.append(route))
        page.on("requestfinished", lambda request: self.ended.append(request))
        page.on("requestfailed", lambda request: self.ended.append(request))

    def wait_held(self, count: int) -> None:
        """Wait until `count` requests have been held in all."""
        deadline = time.monotonic() + WAIT_TIMEOUT_MS / 1000
        while len(self.routes) < count:
            assert time.monotonic() < deadline, f"{len(self.routes)} requests held, not {count}"
            self.page.wait_for_timeout(50)

    def release(self, index: int) -> None:
        """Let held request `index` through and wait until it has ended (answered, or
        abandoned by the page)."""
        from playwright.sync_api import Error as PlaywrightError

        route = self.routes[index]
        with contextlib.suppress(PlaywrightError):  # the page gave it up meanwhile
            route.continue_()
        deadline = time.monotonic() + WAIT_TIMEOUT_MS / 1000
        while route.request not in self.ended:
            assert time.monotonic() < deadline, f"{route.request.url} did not end"
            self.page.wait_for_timeout(50)


CLOCK_STEP_MS = 100


def clock_run(page, ms: int) -> None:  # noqa: ANN001
    """Advance the page's fake clock (`page.clock.install()`) by `ms` in small steps, so what
    arrives outside it (a socket's drop, an answer) is heard between them, as it would be."""
    for _ in range(ms // CLOCK_STEP_MS):
        page.clock.run_for(CLOCK_STEP_MS)


def set_page_visible(page, visible: bool) -> None:  # noqa: ANN001
    """Hide the page or show it again as a tab switch does (`document.hidden`,
    `visibilityState`, then `visibilitychange`): headless Chromium has no tab strip to switch."""
    page.evaluate(
        """(visible) => {
             const state = visible ? "visible" : "hidden";
             const getter = (value) => ({ configurable: true, get: () => value });
             Object.defineProperty(document, "hidden", getter(!visible));
             Object.defineProperty(document, "visibilityState", getter(state));
             document.dispatchEvent(new Event("visibilitychange"));
           }""",
        visible,
    )
