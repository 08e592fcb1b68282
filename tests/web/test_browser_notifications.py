"""The unread badge's socket in a real browser: how often a failing socket is asked again."""

from __future__ import annotations

import json

import pytest

from tests.web.conftest import log_in
from tests.web.helpers import clock_run

pytestmark = [pytest.mark.browser]

FAKE_MINUTE_MS = 60_000


def test_a_socket_dropped_right_after_it_opens_is_retried_less_and_less_often(
    desktop_page, web_seed
):  # noqa: ANN001
    """The server lets each socket in, sends the count, and closes it at once: over a minute
    of the page's (fake) clock the badge asks again a handful of times, not every second."""
    page = desktop_page
    attempts = []

    def accept_then_drop(socket) -> None:  # noqa: ANN001
        attempts.append(socket)
        socket.send(json.dumps({"type": "unread", "unread": len(attempts)}))
        socket.close(code=1011)

    page.route_web_socket("**/ws/notifications", accept_then_drop)
    page.clock.install()
    log_in(page, web_seed.users["viewer"].username)
    page.goto("/notifications")
    page.wait_for_function("() => document.body.dataset.unread === '1'")

    clock_run(page, FAKE_MINUTE_MS)

    # Waits of 1, 2, 4, 8, 16 and then 30 s (each between half and one and a half times that).
    assert 4 <= len(attempts) <= 9, len(attempts)
