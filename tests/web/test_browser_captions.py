"""Captions in a real browser: the CC toggle shows the transcript's cues in time with the video,
and the choice is remembered; the feed offers the same toggle on videos that have speech."""

from __future__ import annotations

import pytest

from tests.web.helpers import WAIT_TIMEOUT_MS, wait_feed_playing

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

ACTIVE_CUE_TEXT = """() => {
  const track = document.querySelector('#player').textTracks[0];
  if (!track || track.mode !== 'showing' || !track.activeCues) return null;
  return Array.from(track.activeCues).map((cue) => cue.text).join(' ');
}"""


def _seek(page, seconds: float) -> None:  # noqa: ANN001
    page.evaluate(
        """(t) => { const v = document.querySelector('#player'); v.pause(); v.currentTime = t; }""",
        seconds,
    )


def test_captions_show_in_sync_and_the_choice_is_remembered(desktop_page, web_seed) -> None:  # noqa: ANN001
    video = web_seed.videos["sunset"]
    video.refresh_from_db()
    segments = [s for s in video.transcript_segments if s["text"]]
    assert segments, "the seeded spoken clip has a timed transcript"
    page = desktop_page
    page.goto(f"/v/{video.pk}")
    button = page.locator('.video-actions [data-action="captions"]')
    assert button.get_attribute("aria-pressed") == "false"

    button.click()

    assert button.get_attribute("aria-pressed") == "true"
    first = segments[0]
    _seek(page, (first["start"] + first["end"]) / 2)
    page.wait_for_function(
        f"() => ({ACTIVE_CUE_TEXT})() === {first['text']!r}", timeout=WAIT_TIMEOUT_MS
    )
    gap_after = first["end"] + 0.05
    if len(segments) == 1 or segments[1]["start"] > gap_after:
        _seek(page, gap_after + 0.01)
        page.wait_for_function(f"() => ({ACTIVE_CUE_TEXT})() === ''", timeout=WAIT_TIMEOUT_MS)

    page.reload()
    assert (
        page.locator('.video-actions [data-action="captions"]').get_attribute("aria-pressed")
        == "true"
    )
    page.wait_for_function(
        "() => document.querySelector('#player').textTracks[0]?.mode === 'showing'",
        timeout=WAIT_TIMEOUT_MS,
    )


def test_the_feed_offers_the_captions_toggle_on_spoken_videos(mobile_page) -> None:  # noqa: ANN001
    mobile_page.goto("/")
    wait_feed_playing(mobile_page, 0)
    cc = mobile_page.locator('.slide.active [data-action="captions"]')
    assert cc.is_visible()
    assert (
        mobile_page.evaluate(
            "() => document.querySelector('.slide.active video').textTracks[0].mode"
        )
        == "disabled"
    )

    cc.tap()

    mobile_page.wait_for_function(
        "() => document.querySelector('.slide.active video').textTracks[0].mode === 'showing'",
        timeout=WAIT_TIMEOUT_MS,
    )
    assert cc.get_attribute("aria-pressed") == "true"
