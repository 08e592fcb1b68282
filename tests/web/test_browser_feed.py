"""The feed page in a real browser: autoplay, swipe with prefetch, released players, signals."""

from __future__ import annotations

import re

import pytest

from tests.web.helpers import (
    WAIT_TIMEOUT_MS,
    active_video_id,
    eventually,
    session_id,
    tap_slide_action,
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
    from django.utils import timezone

    from feed.models import Interaction

    started = timezone.now()  # other tests of this package watched the same video
    mobile_page.goto("/")
    wait_feed_playing(mobile_page, 0)
    video_id = active_video_id(mobile_page)
    # However slow the machine, wait until the page itself has counted the playback: over 2 s,
    # so that leaving is a view ("pause") rather than a quick skip.
    mobile_page.wait_for_function("() => window.reelsFeed.watchedMs() >= 2100")
    counted = mobile_page.evaluate("window.reelsFeed.watchedMs()")
    session = session_id(mobile_page)
    mobile_page.close(run_before_unload=True)

    row = eventually(
        lambda: Interaction.objects.filter(
            video_id=video_id, type="pause", session_id=session, created_at__gte=started
        ).first()
    )
    assert row is not None
    assert row.watch_ms >= 1500
    assert row.watch_ms >= int(counted)


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


def _heap_metrics(page) -> dict[str, float]:  # noqa: ANN001
    """JS heap and DOM size after a forced garbage collection (Chrome DevTools Protocol)."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("HeapProfiler.collectGarbage")
    cdp.send("Performance.enable")
    metrics = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
    cdp.detach()
    return metrics


def test_memory_stays_flat_over_two_hundred_swipes(mobile_page):  # noqa: ANN001
    mobile_page.goto("/")
    wait_feed_playing(mobile_page, 0)
    count = mobile_page.evaluate("() => window.reelsFeed.count")
    last = count - 1

    def swipe_zigzag(swipes: int, start: int) -> int:
        index = start
        for _ in range(swipes):
            going_down = (index // last) % 2 == 0 if last else True
            mobile_page.keyboard.press("j" if going_down else "k")
            index += 1
            mobile_page.wait_for_timeout(60)
        return index

    done = swipe_zigzag(20, 0)
    mobile_page.wait_for_timeout(500)
    early = _heap_metrics(mobile_page)
    swipe_zigzag(180, done)
    mobile_page.wait_for_timeout(500)
    late = _heap_metrics(mobile_page)

    assert mobile_page.locator("video").count() <= 4
    assert late["Nodes"] <= early["Nodes"] * 1.25 + 200
    # Flat: 180 more swipes may not grow the heap by more than a small constant.
    assert late["JSHeapUsedSize"] <= early["JSHeapUsedSize"] * 1.3 + 2_000_000


def test_a_page_of_cards_the_tab_already_holds_does_not_stall_the_feed(mobile_page):  # noqa: ANN001
    # The server may answer with cards this tab already shows (its served set expired after an
    # idle hour, or cards a re-plan released came back): nothing was added, and nothing asked
    # again until the viewer moved - on the last card, never. The page asks again by itself.
    calls: list[int] = []
    first_items: list[dict] = []

    def shape(route) -> None:  # noqa: ANN001
        # Pages of two (the seed is small), the second one holding the first one's cards.
        url = re.sub(r"limit=\d+", "limit=2", route.request.url)
        response = route.fetch(url=url)
        body = response.json()
        calls.append(len(body.get("items") or []))
        if len(calls) == 1:
            first_items.extend(body["items"])
        elif len(calls) == 2:
            body["items"] = first_items
        route.fulfill(response=response, json=body)

    mobile_page.route("**/api/feed?*", shape)
    mobile_page.goto("/")
    wait_feed_playing(mobile_page, 0)
    # No swipe: the page itself follows the empty answer with another request.
    mobile_page.wait_for_function("() => window.reelsFeed.count > 2", timeout=WAIT_TIMEOUT_MS)
    assert len(calls) >= 3
    assert active_video_id(mobile_page) == first_items[0]["id"]  # the viewer never moved


MEDIA_URL_RE = re.compile(r"/media/videos/[^/]+/")
IMAGE_URL_RE = re.compile(r"\.(jpe?g|png|webp|avif)(\?|$)")


def _media_folder(url: str) -> str:
    """The folder of the video a playback request (playlist, segment, MP4) is for; "" else."""
    found = MEDIA_URL_RE.search(url)
    return found.group(0) if found and not IMAGE_URL_RE.search(url) else ""


def test_a_video_paused_while_its_start_with_sound_is_pending_stays_paused(mobile_page):  # noqa: ANN001
    # A slow network: the media of videos that had not begun loading is held until the test lets
    # it through, so such a video's play() with sound stays pending. Pausing it then rejects that
    # play() (AbortError), which is no autoplay refusal to retry muted.
    started: set[str] = set()  # the media folders of the videos that began loading
    mobile_page.on("request", lambda request: started.add(_media_folder(request.url)))
    mobile_page.goto("/")
    wait_feed_playing(mobile_page, 0)
    assert mobile_page.evaluate("() => window.reelsFeed.count") >= 5
    loading = set(started)  # the first video and the two buffering after it
    held: list = []

    def hold(route) -> None:  # noqa: ANN001
        if held is not None and _media_folder(route.request.url) not in loading:
            held.append(route)
        else:
            route.continue_()

    mobile_page.route(MEDIA_URL_RE, hold)
    mobile_page.keyboard.press("m")  # sound on (a gesture, so the browser allows it)
    for index in (1, 2):
        mobile_page.keyboard.press("j")
        wait_feed_playing(mobile_page, index)
    mobile_page.keyboard.press("j")  # slide 3: its media is held, its play() pending
    mobile_page.wait_for_function("() => window.reelsFeed.active === 3")
    video = mobile_page.locator('.slide[data-index="3"] video')
    assert video.evaluate("v => !v.muted && !v.paused && v.readyState < 2")

    mobile_page.keyboard.press(" ")  # the viewer pauses before it could start
    slow, held = held, None
    for route in slow:
        route.continue_()
    mobile_page.wait_for_function(
        """() => document.querySelector('.slide[data-index="3"] video').readyState >= 3""",
        timeout=WAIT_TIMEOUT_MS,
    )

    assert video.evaluate("v => v.paused") is True
    assert "paused" in mobile_page.locator('.slide[data-index="3"]').get_attribute("class").split()


def test_a_long_session_keeps_a_bounded_window_of_slides_behind_the_current_one(mobile_page):  # noqa: ANN001
    # An endless feed from the seed's few videos: every page repeats the first page's cards
    # under new ids (their media is real, so each slide plays).
    pages: list[int] = []
    first_items: list[dict] = []

    def endless(route) -> None:  # noqa: ANN001
        if not first_items:
            first_items.extend(route.fetch().json()["items"])
        pages.append(len(pages))
        offset = 100_000 * len(pages)
        items = [{**card, "id": card["id"] + offset} for card in first_items]
        route.fulfill(json={"items": items, "next_cursor": f"page-{len(pages)}", "prefetch": []})

    mobile_page.route("**/api/feed?*", endless)
    mobile_page.goto("/")
    wait_feed_playing(mobile_page, 0)
    swipes = 24
    for index in range(1, swipes + 1):
        mobile_page.keyboard.press("j")
        wait_feed_playing(mobile_page, index)

    behind = mobile_page.eval_on_selector_all(
        ".slide", f"ns => ns.filter((n) => Number(n.dataset.index) < {swipes}).length"
    )
    assert behind == 8  # KEEP_SLIDES_BEHIND: the older ones are gone from the page
    assert mobile_page.evaluate("() => window.reelsFeed.kept") < swipes
    assert mobile_page.locator("video").count() <= 4
    # The removed slides' place is kept: the playing slide still fills the feed.
    mobile_page.wait_for_function(
        """() => { const feed = document.getElementById("feed");
                   const slide = document.querySelector(".slide.active");
                   return Math.abs(slide.getBoundingClientRect().top
                                   - feed.getBoundingClientRect().top) < 1; }""",
        timeout=WAIT_TIMEOUT_MS,
    )
    for index in range(swipes - 1, swipes - 4, -1):  # scrolling back a little still plays
        mobile_page.keyboard.press("k")
        wait_feed_playing(mobile_page, index)
    ids = mobile_page.evaluate("() => window.reelsFeed.ids()")
    kept = [card_id for card_id in ids if card_id is not None]
    assert len(kept) == len(set(kept))  # no card came back twice


def test_a_video_whose_stream_fails_plays_from_its_mp4(mobile_page):  # noqa: ANN001
    # Every HLS playlist fails: hls.js gives up (a fatal error) and the player switches to the
    # MP4, which ends the pending play(); the first video must still start.
    mobile_page.route(re.compile(r".*\.m3u8(\?.*)?$"), lambda route: route.fulfill(status=404))

    mobile_page.goto("/")

    wait_feed_playing(mobile_page, 0)
    mode = mobile_page.locator('.slide[data-index="0"] video').evaluate("v => v.dataset.mode")
    assert mode == "mp4"


def _first_slide_action(page, action: str):  # noqa: ANN001, ANN202
    """The feed opened and playing its first video, one of its actions tapped."""
    page.goto("/")
    wait_feed_playing(page, 0)
    tap_slide_action(page, action)
    return page


def test_keys_leave_the_feed_alone_behind_an_open_sheet_and_escape_closes_it(mobile_page):  # noqa: ANN001
    # With the share sheet open, "j" moved the feed behind it and Escape was swallowed.
    page = _first_slide_action(mobile_page, "share")
    page.wait_for_selector("#share-sheet[open]")

    page.keyboard.press("j")
    page.keyboard.press("l")
    page.keyboard.press("Escape")

    page.wait_for_selector("#share-sheet", state="hidden", timeout=WAIT_TIMEOUT_MS)
    assert page.evaluate("() => window.reelsFeed.active") == 0
    page.keyboard.press("j")  # closed, the keys drive the feed again
    wait_feed_playing(page, 1)


def test_a_dismissed_video_does_not_play_again_when_scrolled_back_to(mobile_page):  # noqa: ANN001
    page = _first_slide_action(mobile_page, "menu")
    page.click("#feed-menu [data-action=not-interested]")
    wait_feed_playing(page, 1)

    page.keyboard.press("k")
    page.wait_for_function("() => window.reelsFeed.active === 0", timeout=WAIT_TIMEOUT_MS)
    page.wait_for_timeout(1000)

    assert page.locator('.slide[data-index="0"] video').count() == 0
    assert "dismissed" in page.locator('.slide[data-index="0"]').get_attribute("class").split()


def test_a_failed_page_of_comments_can_be_asked_for_again(mobile_page):  # noqa: ANN001
    page = mobile_page
    answers: list[int] = []

    def comments(route) -> None:  # noqa: ANN001
        if "cursor=" not in route.request.url:  # the first page, as the server has it, and more
            body = route.fetch().json()
            body["next"] = f"{route.request.url.split('?')[0]}?cursor=more&limit=20"
            answers.append(200)
            route.fulfill(json=body)
        elif len(answers) == 1:  # the next page fails once...
            answers.append(503)
            route.fulfill(status=503, json={"error": "unavailable", "detail": "try again"})
        else:  # ...and comes when asked for again: the last one
            answers.append(200)
            route.fulfill(json={"results": [], "next": None, "previous": None})

    page.route("**/api/videos/*/comments?*", comments)
    page.goto("/")
    wait_feed_playing(page, 0)
    tap_slide_action(page, "comments")
    more = page.locator("#comment-sheet [data-action=more]")
    more.wait_for(state="visible", timeout=WAIT_TIMEOUT_MS)

    more.click()  # this page fails...
    page.wait_for_function(
        "() => !document.querySelector('#comment-sheet [data-action=more]').hidden"
    )
    more.click()  # ...and is asked for again

    more.wait_for(state="hidden", timeout=WAIT_TIMEOUT_MS)
    assert answers == [200, 503, 200]
