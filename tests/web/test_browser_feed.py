"""The feed page in a real browser: autoplay, swipe with prefetch, released players, signals."""

from __future__ import annotations

import pytest

from tests.web.helpers import (
    WAIT_TIMEOUT_MS,
    active_video_id,
    eventually,
    session_id,
    touch_swipe_up,
    wait_feed_advanced,
    wait_feed_playing,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db]


def test_first_video_autoplays_muted(mobile_page):  # noqa: ANN001
    mobile_page.goto("/")
    wait_feed_playing(mobile_page, 0)
    video = mobile_page.locator('.slide[data-index="0"] video')
    first = video.evaluate("v => v.currentTime")
    mobile_page.wait_for_timeout(800)
    assert video.evaluate("v => v.currentTime") > first
    assert video.evaluate("v => v.muted") is True


def test_swipe_advances_to_a_video_that_was_already_buffered(mobile_page):  # noqa: ANN001
    mobile_page.goto("/")
    wait_feed_playing(mobile_page, 0)
    next_video = mobile_page.locator('.slide[data-index="1"] video')
    # Both upcoming videos buffer while the first one plays.
    mobile_page.wait_for_function(
        """() => [1, 2].every((i) => {
                   const v = document.querySelector(`.slide[data-index="${i}"] video`);
                   return v && v.paused && v.readyState >= 3 && v.buffered.length > 0; })""",
        timeout=WAIT_TIMEOUT_MS,
    )
    buffered_before_s = next_video.evaluate("v => v.buffered.end(0)")

    touch_swipe_up(mobile_page)

    assert wait_feed_advanced(mobile_page, 0) in (1, 2)
    assert buffered_before_s > 0.5
    assert mobile_page.locator('.slide[data-index="0"] video').evaluate("v => v.paused") is True


def test_far_players_are_released_while_swiping(mobile_page):  # noqa: ANN001
    mobile_page.goto("/")
    wait_feed_playing(mobile_page, 0)
    count = mobile_page.evaluate("() => window.reelsFeed.count")
    assert count >= 5
    for index in range(1, count):
        mobile_page.keyboard.press("j")
        wait_feed_playing(mobile_page, index)
        players = mobile_page.evaluate("() => window.reelsFeed.players()")
        # current + next two prefetching + one kept behind, nothing else holds media
        assert len(players) <= 4
        assert all(index - 1 <= held <= index + 2 for held in players)
        assert mobile_page.locator("video").count() == len(players)
    assert mobile_page.locator('.slide[data-index="0"] video').count() == 0


def test_watch_signals_reach_the_server(mobile_page, web_seed):  # noqa: ANN001
    from feed.models import Interaction

    mobile_page.goto("/")
    wait_feed_playing(mobile_page, 0)
    first_id = active_video_id(mobile_page)
    mobile_page.wait_for_timeout(2500)
    mobile_page.keyboard.press("j")
    wait_feed_playing(mobile_page, 1)
    second_id = active_video_id(mobile_page)
    mobile_page.keyboard.press("j")  # left within 2 s: a skip
    wait_feed_playing(mobile_page, 2)
    mobile_page.evaluate("() => window.reelsFeed.flush()")

    session = session_id(mobile_page)

    def rows() -> dict:
        found = {}
        for row in Interaction.objects.filter(session_id=session):
            found.setdefault((row.video_id, row.type), []).append(row)
        return found if (second_id, "skip") in found and (first_id, "pause") in found else {}

    found = eventually(rows)
    assert (first_id, "impression") in found
    assert (first_id, "play") in found
    assert found[(first_id, "pause")][0].watch_ms >= 1500
    assert (second_id, "impression") in found
    assert (second_id, "skip") in found
    assert all(row.user_id is None for group in found.values() for row in group)


def test_closing_the_tab_still_delivers_the_watch_time(mobile_page, web_seed):  # noqa: ANN001
    from feed.models import Interaction

    mobile_page.goto("/")
    wait_feed_playing(mobile_page, 0)
    video_id = active_video_id(mobile_page)
    mobile_page.wait_for_timeout(2500)
    mobile_page.close(run_before_unload=True)

    row = eventually(lambda: Interaction.objects.filter(video_id=video_id, type="pause").first())
    assert row is not None
    assert row.watch_ms >= 1500


def test_browsers_without_native_hls_play_through_hls_js(mobile_page):  # noqa: ANN001
    mobile_page.add_init_script(
        """const original = HTMLMediaElement.prototype.canPlayType;
           HTMLMediaElement.prototype.canPlayType = function (type) {
             return /mpegurl/i.test(type) ? "" : original.call(this, type);
           };"""
    )
    mobile_page.goto("/")

    wait_feed_playing(mobile_page, 0)

    video = mobile_page.locator('.slide[data-index="0"] video')
    assert video.evaluate("v => v.dataset.mode") == "hls.js"
    assert video.evaluate("v => v.currentSrc.startsWith('blob:')")
