"""Engagement in a real browser: like (click, double tap), sign-in prompt, following tab,
comments, and hostile captions rendered as text."""

from __future__ import annotations

import pytest

from tests.web.conftest import SEED_PASSWORD, log_in
from tests.web.helpers import (
    WAIT_TIMEOUT_MS,
    active_video_id,
    eventually,
    session_id,
    set_page_visible,
    tap_slide_action,
    wait_feed_playing,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db]


def test_like_click_updates_the_count_and_persists_across_reload(desktop_page, web_seed):  # noqa: ANN001
    from videos.models import Like

    page = desktop_page
    page.goto("/login?next=/")
    page.fill("#username", web_seed.users["viewer"].username)
    page.fill("#password", SEED_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/")
    wait_feed_playing(page, 0)
    video_id = active_video_id(page)
    like = page.locator('.slide.active [data-action="like"]')
    before = int(like.locator("[data-count=likes]").get_attribute("data-value"))

    like.click()

    page.wait_for_function(
        "() => document.querySelector('.slide.active [data-action=like]')"
        ".getAttribute('aria-pressed') === 'true'"
    )
    assert like.locator("[data-count=likes]").inner_text() == str(before + 1)
    assert eventually(lambda: Like.objects.filter(video_id=video_id).exists())
    page.goto(f"/v/{video_id}")
    page.reload()
    button = page.locator('.video-actions [data-action="like"]')
    assert button.get_attribute("aria-pressed") == "true"
    assert button.locator("[data-count=likes]").inner_text() == str(before + 1)


def test_a_double_click_on_like_sends_one_toggle_and_ends_on_the_servers_answer(
    desktop_page, web_seed
):  # noqa: ANN001
    from videos.models import Like

    page = desktop_page
    liker = web_seed.users["bob"]
    log_in(page, liker.username)
    sent: list[str] = []
    held: list = []

    def slow_server(route) -> None:  # noqa: ANN001
        sent.append(route.request.method)
        if held is not None:
            held.append(route)
        else:
            route.continue_()

    page.route("**/api/videos/*/like", slow_server)
    page.goto("/")
    wait_feed_playing(page, 0)
    video_id = active_video_id(page)
    was_liked = Like.objects.filter(video_id=video_id, user=liker).exists()

    with page.expect_request("**/api/videos/*/like"):
        tap_slide_action(page, "like")
    tap_slide_action(page, "like")  # while the first toggle is still on its way
    slow, held = held, None
    for route in slow:
        route.continue_()

    pressed = "false" if was_liked else "true"
    page.wait_for_function(
        """(pressed) => document.querySelector('.slide.active [data-action=like]')
                          .getAttribute('aria-pressed') === pressed""",
        arg=pressed,
        timeout=WAIT_TIMEOUT_MS,
    )
    assert eventually(
        lambda: Like.objects.filter(video_id=video_id, user=liker).exists() != was_liked
    )
    assert sent == ["DELETE" if was_liked else "POST"]
    likes = Like.objects.filter(video_id=video_id).count()
    shown = page.locator(".slide.active [data-count=likes]").get_attribute("data-value")
    assert int(shown) == likes


def test_double_tap_likes_the_video_with_a_heart(mobile_page, web_seed):  # noqa: ANN001
    from videos.models import Like

    liker = web_seed.users["mallory"]
    log_in(mobile_page, liker.username)
    mobile_page.goto("/")
    wait_feed_playing(mobile_page, 0)
    video_id = active_video_id(mobile_page)

    mobile_page.locator(".slide.active .tap-layer").dblclick(position={"x": 150, "y": 300})

    mobile_page.wait_for_selector(".slide.active .heart-layer .burst", state="attached")
    assert eventually(lambda: Like.objects.filter(video_id=video_id, user=liker).exists())
    assert (
        mobile_page.locator('.slide.active [data-action="like"]').get_attribute("aria-pressed")
        == "true"
    )


def test_anonymous_like_asks_to_sign_in(mobile_page, web_seed):  # noqa: ANN001
    from videos.models import Like

    mobile_page.goto("/")
    wait_feed_playing(mobile_page, 0)
    video_id = active_video_id(mobile_page)
    likes_before = Like.objects.filter(video_id=video_id).count()

    mobile_page.locator('.slide.active [data-action="like"]').click()

    mobile_page.wait_for_selector("#signin-prompt[open]")
    like = mobile_page.locator('.slide.active [data-action="like"]')
    assert like.get_attribute("aria-pressed") == "false"
    assert Like.objects.filter(video_id=video_id).count() == likes_before


def test_following_tab_shows_a_followed_creators_upload(desktop_page, web_seed, django_db_blocker):  # noqa: ANN001
    from profiles.services.graph import follow_delete
    from tests.support.concurrency import thread_start

    def committed(work) -> None:  # noqa: ANN001
        # On a connection of its own, committed at once, as the seed is: in this test's
        # transaction the unfollow's locks on both accounts (held to the test's end) kept the
        # server's sign-in waiting, and its rollback undid the tidy-up.
        errors: dict[str, BaseException] = {}
        with django_db_blocker.unblock():
            thread_start(errors, "write", work).join(30)
        assert errors == {}

    page = desktop_page
    bob, viewer = web_seed.users["bob"], web_seed.users["viewer"]
    # The button toggles: start from not following.
    committed(lambda: follow_delete(follower=viewer, followee=bob))
    try:
        log_in(page, viewer.username)
        page.goto(f"/@{bob.username}")
        page.click("[data-role=follow]")
        page.wait_for_function(
            "() => document.querySelector('[data-role=follow]')"
            ".getAttribute('aria-pressed') === 'true'"
        )

        page.goto("/following")
        wait_feed_playing(page, 0)

        handles = set(page.locator(".slide [data-role=handle]").all_inner_texts())
        shown = {
            int(v)
            for v in page.eval_on_selector_all(".slide", "ns => ns.map(n => n.dataset.videoId)")
        }
        bobs = {video.pk for video in web_seed.videos.values() if video.owner_id == bob.pk}
        assert handles == {f"@{bob.username}"}
        assert bobs <= shown
    finally:  # later tests' viewer follows nobody
        committed(lambda: follow_delete(follower=viewer, followee=bob))


def test_comment_is_posted_and_shown_as_text(mobile_page, web_seed):  # noqa: ANN001
    from videos.models import Comment

    log_in(mobile_page, web_seed.users["viewer"].username)
    mobile_page.goto("/")
    wait_feed_playing(mobile_page, 0)
    video_id = active_video_id(mobile_page)
    comments = mobile_page.locator(".slide.active [data-count=comments]")
    before = int(comments.get_attribute("data-value"))
    mobile_page.locator('.slide.active [data-action="comments"]').click()
    mobile_page.wait_for_selector("#comment-sheet[open]")

    mobile_page.fill("#comment-sheet input[name=body]", "<b>so good</b>")
    mobile_page.click("#comment-sheet button[type=submit]")

    body = mobile_page.locator("#comment-sheet .comment-body").first
    body.wait_for(timeout=WAIT_TIMEOUT_MS)
    assert body.inner_text() == "<b>so good</b>"
    assert mobile_page.locator("#comment-sheet .comment-body b").count() == 0
    assert Comment.objects.filter(video_id=video_id, body="<b>so good</b>").exists()
    assert comments.inner_text() == str(before + 1)


def test_script_caption_renders_as_text(desktop_page, web_seed):  # noqa: ANN001
    page = desktop_page
    video = web_seed.videos["hostile"]

    for path in (f"/v/{video.pk}", f"/@{video.owner.username}", "/tag/safety"):
        page.goto(path)
        page.wait_for_load_state("load")
        assert "<script>window.__pwned = 1</script>" in page.inner_text("main")
        assert page.evaluate("() => window.__pwned") is None
    page.goto(f"/v/{video.pk}")
    caption = page.locator("[data-role=caption]")
    assert caption.locator("script, img").count() == 0
    assert caption.locator("a.hashtag").get_attribute("href") == "/hashtag/safety"


def test_the_video_page_counts_watch_time_again_after_the_viewer_returns_to_the_tab(  # noqa: ANN001
    desktop_page, web_seed
):
    from feed.models import Interaction

    page = desktop_page
    video_id = web_seed.videos["city"].pk
    page.goto(f"/v/{video_id}")
    page.wait_for_function(
        "() => { const v = document.getElementById('player');"
        "        return !v.paused && v.currentTime > 0.2; }",
        timeout=WAIT_TIMEOUT_MS,
    )
    # Seconds of media played from now on (the clip loops, so currentTime alone does not say).
    page.evaluate(
        """() => { const v = document.getElementById('player'); let last = v.currentTime;
                   window.playedS = 0;
                   v.addEventListener('timeupdate', () => {
                     if (v.currentTime > last) window.playedS += v.currentTime - last;
                     last = v.currentTime; }); }"""
    )

    set_page_visible(page, False)  # the first view ends; the video plays on behind
    page.wait_for_function("() => window.playedS >= 1.5", timeout=WAIT_TIMEOUT_MS)
    returned_at_s = page.evaluate("() => window.playedS")
    set_page_visible(page, True)
    page.wait_for_function(
        "(from) => window.playedS >= from + 2.5", arg=returned_at_s, timeout=WAIT_TIMEOUT_MS
    )
    played_visible_s = page.evaluate("() => window.playedS") - returned_at_s
    set_page_visible(page, False)  # the second view ends

    session = session_id(page)

    def views() -> list:
        rows = Interaction.objects.filter(
            session_id=session, video_id=video_id, type__in=["pause", "skip"]
        ).order_by("created_at")
        return list(rows) if len(rows) >= 2 else []

    found = eventually(views)
    assert len(found) == 2, "the view after coming back to the tab was never sent"
    second = found[1]
    assert second.type == "pause"
    assert second.watch_ms >= 2000  # the time watched after coming back counts
    assert second.watch_ms <= played_visible_s * 1000 + 750  # the time hidden does not


def _views(session: str, video_id: int, at_least: int) -> list:
    from feed.models import Interaction

    rows = list(
        Interaction.objects.filter(
            session_id=session, video_id=video_id, type__in=["pause", "skip"]
        ).order_by("created_at", "id")
    )
    return rows if len(rows) >= at_least else []


def _watched_then_hidden(page, player: str) -> None:  # noqa: ANN001
    """Let `player` (a JS expression for the video element) play, on screen for over the 2 s
    under which leaving is a "skip", then hide the page (the view ends and is sent)."""
    page.wait_for_function(
        f"() => {{ const v = {player}; return !v.paused && v.currentTime > 0.3; }}",
        timeout=WAIT_TIMEOUT_MS,
    )
    page.wait_for_timeout(2100)
    set_page_visible(page, False)


def test_a_paused_video_page_left_and_returned_to_sends_no_empty_view(desktop_page, web_seed):  # noqa: ANN001
    page = desktop_page
    video_id = web_seed.videos["city"].pk
    player = "document.getElementById('player')"
    page.goto(f"/v/{video_id}")
    page.wait_for_function(
        f"() => !{player}.paused && {player}.currentTime > 0.3", timeout=WAIT_TIMEOUT_MS
    )
    page.wait_for_timeout(2100)
    page.evaluate(f"() => {player}.pause()")  # the viewer pauses it
    set_page_visible(page, False)  # the first view ends
    set_page_visible(page, True)  # back on the paused video...
    set_page_visible(page, False)  # ...and away again without playing it: nothing to send
    set_page_visible(page, True)
    page.evaluate(f"() => {player}.play()")
    _watched_then_hidden(page, player)  # a real second view

    found = eventually(lambda: _views(session_id(page), video_id, 2))
    assert [(row.type, row.watch_ms > 0) for row in found] == [("pause", True), ("pause", True)]


def test_a_feed_video_paused_across_a_tab_switch_is_not_reported_skipped(mobile_page, web_seed):  # noqa: ANN001
    page = mobile_page
    page.goto("/")
    wait_feed_playing(page, 0)
    video_id = active_video_id(page)
    first = "document.querySelector('.slide[data-index=\"0\"] video')"
    page.wait_for_timeout(2100)
    page.keyboard.press(" ")  # the viewer pauses it
    page.wait_for_function(f"() => {first}.paused")
    set_page_visible(page, False)  # the view ends ("pause")
    set_page_visible(page, True)  # it stays paused: the viewer paused it
    assert page.evaluate(f"() => {first}.paused") is True
    set_page_visible(page, False)  # away again at once: once a "skip" of 0 ms
    set_page_visible(page, True)
    page.keyboard.press(" ")  # plays again
    _watched_then_hidden(page, first)

    found = eventually(lambda: _views(session_id(page), video_id, 2))
    assert [(row.type, row.watch_ms > 0) for row in found] == [("pause", True), ("pause", True)]
