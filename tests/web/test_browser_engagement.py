"""Engagement in a real browser: like (click, double tap), sign-in prompt, following tab,
comments, and hostile captions rendered as text."""

from __future__ import annotations

import pytest

from tests.web.conftest import SEED_PASSWORD, log_in
from tests.web.helpers import (
    WAIT_TIMEOUT_MS,
    active_video_id,
    eventually,
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


def test_following_tab_shows_a_followed_creators_upload(desktop_page, web_seed):  # noqa: ANN001
    page = desktop_page
    bob = web_seed.users["bob"]
    log_in(page, web_seed.users["viewer"].username)
    page.goto(f"/@{bob.username}")
    page.click("[data-role=follow]")
    page.wait_for_function(
        "() => document.querySelector('[data-role=follow]').getAttribute('aria-pressed') === 'true'"
    )

    page.goto("/following")
    wait_feed_playing(page, 0)

    handles = set(page.locator(".slide [data-role=handle]").all_inner_texts())
    shown = {
        int(v) for v in page.eval_on_selector_all(".slide", "ns => ns.map(n => n.dataset.videoId)")
    }
    bobs = {video.pk for video in web_seed.videos.values() if video.owner_id == bob.pk}
    assert handles == {f"@{bob.username}"}
    assert bobs <= shown


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
