"""The feed player where real browsers differ from a test browser: autoplay refused even muted,
sound refused before a first gesture, keyboard users, reduced motion, a video that cannot be
played, hls.js prefetching, and seeking on the video page."""

from __future__ import annotations

import json

import pytest

from tests.web.helpers import WAIT_TIMEOUT_MS, wait_feed_playing

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

# A browser that refuses every play() outside a user activation (iOS Low Power Mode, Safari's
# "Never Auto-Play", Firefox's "Block Audio and Video"). Playwright's evaluate() counts as an
# activation, so trusted input is tracked here.
BLOCK_AUTOPLAY = """
let lastGesture = -1e9;
for (const type of ["touchend", "pointerup", "click", "keydown"]) {
  addEventListener(type, (e) => { if (e.isTrusted) lastGesture = performance.now(); }, true);
}
const realPlay = HTMLMediaElement.prototype.play;
HTMLMediaElement.prototype.play = function () {
  if (performance.now() - lastGesture > 1000) {
    return Promise.reject(new DOMException("autoplay blocked", "NotAllowedError"));
  }
  return realPlay.call(this);
};
"""

# As every browser does: sound before the first user activation is refused.
SOUND_NEEDS_GESTURE = """
let gestured = false;
for (const type of ["pointerdown", "keydown", "touchend"]) {
  addEventListener(type, (e) => { if (e.isTrusted) gestured = true; }, true);
}
const realPlay = HTMLMediaElement.prototype.play;
HTMLMediaElement.prototype.play = function () {
  if (!this.muted && !gestured) {
    return Promise.reject(new DOMException("sound blocked", "NotAllowedError"));
  }
  return realPlay.call(this);
};
"""

# A browser without native HLS (Firefox): hls.js plays the feed.
NO_NATIVE_HLS = """
const realCanPlay = HTMLMediaElement.prototype.canPlayType;
HTMLMediaElement.prototype.canPlayType = function (type) {
  return /mpegurl/i.test(type) ? "" : realCanPlay.call(this, type);
};
"""

ACTIVE_VIDEO = "document.querySelector('.slide.active video')"


def _stage_centre(page) -> tuple[float, float]:  # noqa: ANN001
    box = page.locator(".slide.active .stage").bounding_box()
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


def _active(page) -> dict:  # noqa: ANN001
    return page.evaluate(
        f"() => {{ const v = {ACTIVE_VIDEO}; const s = document.querySelector('.slide.active');"
        " return {paused: v.paused, muted: v.muted, sign: s.classList.contains('paused')}; }"
    )


def test_autoplay_refused_even_muted_shows_the_play_sign_and_one_tap_plays(mobile_page) -> None:  # noqa: ANN001
    # The video sat on its poster with nothing to say so, and the first tap only turned the
    # sound on: two taps on every slide.
    mobile_page.context.add_init_script(BLOCK_AUTOPLAY)
    mobile_page.goto("/")
    mobile_page.wait_for_function(
        "() => document.querySelector('.slide.active.paused video')", timeout=WAIT_TIMEOUT_MS
    )
    assert _active(mobile_page)["paused"] is True
    mobile_page.touchscreen.tap(*_stage_centre(mobile_page))
    mobile_page.wait_for_function(f"() => !{ACTIVE_VIDEO}.paused", timeout=WAIT_TIMEOUT_MS)
    assert _active(mobile_page) == {"paused": False, "muted": False, "sign": False}


def test_a_remembered_sound_on_choice_does_not_pause_the_video_on_the_first_click(
    desktop_page,  # noqa: ANN001
) -> None:
    desktop_page.context.add_init_script(SOUND_NEEDS_GESTURE)
    desktop_page.context.add_init_script("localStorage.setItem('reels:sound', 'on')")
    desktop_page.goto("/")
    wait_feed_playing(desktop_page, 0)
    assert _active(desktop_page)["muted"] is True  # refused with sound: played muted
    desktop_page.mouse.click(*_stage_centre(desktop_page))
    desktop_page.wait_for_timeout(800)  # past the double-tap wait: the tap has been decided
    state = _active(desktop_page)
    assert (state["paused"], state["muted"]) == (False, False)


def test_space_on_a_focused_button_presses_it_and_the_sound_button_names_its_state(
    desktop_page,  # noqa: ANN001
) -> None:
    desktop_page.goto("/")
    wait_feed_playing(desktop_page, 0)
    sound = desktop_page.locator("button[data-role=sound]")
    assert sound.get_attribute("aria-label") == "Sound"
    assert sound.get_attribute("aria-pressed") in ("true", "false")
    desktop_page.locator(".slide.active [data-action=comments]").focus()
    desktop_page.keyboard.press("Space")
    desktop_page.wait_for_function(
        "() => document.getElementById('comment-sheet').open", timeout=WAIT_TIMEOUT_MS
    )
    assert _active(desktop_page)["paused"] is False


def test_reduced_motion_moves_to_the_next_video_without_animating(desktop_page) -> None:  # noqa: ANN001
    desktop_page.emulate_media(reduced_motion="reduce")
    desktop_page.goto("/")
    wait_feed_playing(desktop_page, 0)
    start = desktop_page.evaluate("() => document.getElementById('feed').scrollTop")
    desktop_page.evaluate(
        """() => { window.__tops = []; const feed = document.getElementById('feed');
             const t0 = performance.now();
             const tick = () => { window.__tops.push(feed.scrollTop);
               if (performance.now() - t0 < 1500) requestAnimationFrame(tick); };
             requestAnimationFrame(tick); }"""
    )
    desktop_page.keyboard.press("ArrowDown")
    desktop_page.wait_for_timeout(1700)
    tops = desktop_page.evaluate("() => window.__tops")
    end = tops[-1]
    assert end > start
    assert not [top for top in tops if start < top < end]  # no frame in between


def test_a_video_that_cannot_be_played_says_so(mobile_page, web_seed) -> None:  # noqa: ANN001
    # It sat on its poster like a paused video; a tap did nothing.
    mobile_page.route("**/video.mp4*", lambda route: route.fulfill(status=404, body=""))
    mobile_page.route("**/*.m3u8*", lambda route: route.fulfill(status=404, body=""))
    mobile_page.goto("/")
    mobile_page.wait_for_function(
        "() => document.querySelector('.slide.active.failed')", timeout=WAIT_TIMEOUT_MS
    )
    assert mobile_page.locator(".slide.active .failed-note").is_visible()


def test_hls_js_players_ahead_are_not_restarted_on_each_swipe(mobile_page) -> None:  # noqa: ANN001
    # startLoad() stops loading first: called on every swipe for the current video and the two
    # ahead, it aborted their segments in flight.
    mobile_page.context.add_init_script(NO_NATIVE_HLS)
    mobile_page.goto("/")
    mobile_page.wait_for_function(
        f"() => {ACTIVE_VIDEO}?.dataset.mode === 'hls.js'", timeout=WAIT_TIMEOUT_MS
    )
    wait_feed_playing(mobile_page, 0)
    mobile_page.evaluate(
        """() => { window.__restarts = 0; const proto = window.Hls.prototype;
             const real = proto.startLoad;
             proto.startLoad = function (...args) {
               // A new player's own first start is no restart; players started before the
               // instrumentation count as started.
               if (this.__started || this.media?.readyState > 0) window.__restarts += 1;
               this.__started = true;
               return real.apply(this, args); }; }"""
    )
    for _ in range(2):  # two swipes: three fast skips would start a re-plan
        mobile_page.wait_for_timeout(1200)
        mobile_page.keyboard.press("j")
    mobile_page.wait_for_timeout(1000)
    assert mobile_page.evaluate("() => window.__restarts") == 0


def test_seeking_ahead_and_back_on_the_video_page_is_no_finish(desktop_page, web_seed) -> None:  # noqa: ANN001
    video = next(v for name, v in web_seed.videos.items() if name != "hostile")
    events: list[dict] = []

    def note(request) -> None:  # noqa: ANN001
        if request.url.endswith("/api/interactions") and request.method == "POST":
            events.extend(json.loads(request.post_data)["events"])

    desktop_page.on("request", note)
    desktop_page.goto(f"/v/{video.pk}")
    desktop_page.wait_for_function(
        "() => { const v = document.getElementById('player');"
        " return v.duration > 1 && v.readyState >= 2; }",
        timeout=WAIT_TIMEOUT_MS,
    )
    desktop_page.evaluate(
        """async () => {
             const v = document.getElementById('player'); v.pause();
             const seek = (t) => new Promise((ok) => {
               v.addEventListener('seeked', () => setTimeout(ok, 200), {once: true});
               v.currentTime = t; });
             await seek(v.duration * 0.9);
             await seek(v.duration * 0.1); }"""
    )
    desktop_page.wait_for_timeout(5000)  # the signals go out in batches every 4 s
    types = [e["type"] for e in events]
    assert "impression" in types
    assert "finish" not in types and "rewatch" not in types
