"""Slow and repeated requests in a real browser: an answer meant for an earlier view is dropped,
lists load one page at a time, and a button sends its request once."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.web.conftest import log_in
from tests.web.helpers import (
    WAIT_TIMEOUT_MS,
    HeldRequests,
    active_video_id,
    tap_slide_action,
    touch_swipe_up,
    wait_feed_advanced,
    wait_feed_playing,
)

pytestmark = [pytest.mark.browser]


@pytest.fixture
def comment_on_every_video(web_seed, django_db_blocker):  # noqa: ANN001, ANN201
    """One comment by the seed's viewer on each video there is, its body naming the video: the
    seed's, and those other browser tests added to the shared database (the feed serves them
    too)."""
    from videos.models import Video
    from videos.services.engagement import comment_create, comment_delete

    author = web_seed.users["viewer"]
    with django_db_blocker.unblock():
        comments = [
            comment_create(author=author, video=video, body=f"about video {video.pk}")
            for video in Video.objects.order_by("pk")
        ]
    yield
    with django_db_blocker.unblock():
        for comment in comments:
            comment_delete(comment=comment, actor=author)


def _sheet_bodies(page) -> list[str]:  # noqa: ANN001
    return page.eval_on_selector_all(
        "#comment-sheet [data-role=list] .comment-body", "nodes => nodes.map(n => n.textContent)"
    )


def test_a_late_comments_answer_for_the_previous_video_stays_out_of_the_next_videos_sheet(
    mobile_page, web_seed, comment_on_every_video
):  # noqa: ANN001
    page = mobile_page
    log_in(page, web_seed.users["mallory"].username)
    held = HeldRequests(page, "**/api/videos/*/comments?*")
    page.goto("/")
    wait_feed_playing(page, 0)
    first = active_video_id(page)
    tap_slide_action(page, "comments")
    held.wait_held(1)
    page.click("#comment-sheet [data-action=close]")
    touch_swipe_up(page)
    wait_feed_advanced(page, 0)
    second = active_video_id(page)
    tap_slide_action(page, "comments")
    held.wait_held(2)

    held.release(0)  # the first video's answer arrives late, while the sheet shows the second's
    held.release(1)

    page.locator("#comment-sheet .comment-body", has_text=f"about video {second}").wait_for(
        timeout=WAIT_TIMEOUT_MS
    )
    bodies = _sheet_bodies(page)
    assert f"about video {first}" not in bodies
    assert bodies.count(f"about video {second}") == 1


def test_view_more_replies_loads_the_next_page_of_replies_per_click(
    desktop_page, web_seed, django_db_blocker
):  # noqa: ANN001
    from videos.services.engagement import comment_create, comment_delete

    author = web_seed.users["viewer"]
    video = web_seed.videos["forest"]
    with django_db_blocker.unblock():
        parent = comment_create(author=author, video=video, body="a thread with many replies")
        for number in range(20):
            comment_create(author=author, video=video, body=f"reply {number}", parent_id=parent.pk)
    try:
        page = desktop_page
        page.goto(f"/v/{video.pk}")
        thread = page.locator(f'#comments [data-comment-id="{parent.pk}"]')
        replies = thread.locator("[data-role=replies] > .comment")
        more = thread.locator("> button.link-btn")
        more.wait_for(timeout=WAIT_TIMEOUT_MS)
        assert replies.count() == 3  # the preview
        assert more.inner_text() == "View 17 more replies"

        more.click()

        expect(more).to_have_text("View 10 more replies", timeout=WAIT_TIMEOUT_MS)
        assert replies.count() == 10

        more.click()

        more.wait_for(state="detached", timeout=WAIT_TIMEOUT_MS)
        assert replies.count() == 20
        shown = page.eval_on_selector_all(
            f'#comments [data-comment-id="{parent.pk}"] [data-role=replies] .comment-body',
            "nodes => nodes.map(n => n.textContent)",
        )
        assert shown == [f"reply {number}" for number in range(20)]
    finally:
        with django_db_blocker.unblock():
            comment_delete(comment=parent, actor=author)


def test_a_profile_tab_opened_again_before_its_first_page_came_loads_it_once(
    desktop_page, web_seed, django_db_blocker
):  # noqa: ANN001
    from videos.models import Like
    from videos.services.engagement import like_create, like_delete

    alice = web_seed.users["alice"]
    liked = [web_seed.videos["city"], web_seed.videos["neon"]]
    with django_db_blocker.unblock():
        for video in liked:
            like_create(user=alice, video=video)
        expected = sorted(Like.objects.filter(user=alice).values_list("video_id", flat=True))
    try:
        page = desktop_page
        liked_pages = HeldRequests(page, "**/api/users/*/liked?*")
        page.goto(f"/@{alice.username}")
        page.click("#tab-liked")
        liked_pages.wait_held(1)
        page.click("#tab-videos")
        page.click("#tab-liked")  # again, its first page not in yet

        liked_pages.release(0)

        grid = page.locator("#panel-liked [data-role=tab-grid] > li")
        expect(grid).to_have_count(len(expected), timeout=WAIT_TIMEOUT_MS)
        assert len(liked_pages.routes) == 1
        shown = grid.evaluate_all("nodes => nodes.map(n => Number(n.dataset.videoId))")
        assert sorted(shown) == expected
    finally:
        with django_db_blocker.unblock():
            for video in liked:
                like_delete(user=alice, video=video)


@pytest.fixture
def thirty_five_notifications(web_seed, django_db_blocker):  # noqa: ANN001, ANN201
    """The seed viewer, with 35 notifications only: a first page of 30, then 5."""
    from notifications.models import Notification, NotificationKind

    viewer, bob = web_seed.users["viewer"], web_seed.users["bob"]
    with django_db_blocker.unblock():
        Notification.objects.filter(recipient=viewer).delete()
        Notification.objects.bulk_create(
            Notification(
                recipient=viewer,
                kind=NotificationKind.FOLLOW,
                actor=bob,
                actor_count=1,
                group_key=f"in-flight-test:{number}",
            )
            for number in range(35)
        )
    yield viewer
    with django_db_blocker.unblock():
        Notification.objects.filter(recipient=viewer).delete()


def test_a_double_click_on_show_more_adds_the_next_page_of_notifications_once(
    desktop_page, thirty_five_notifications
):  # noqa: ANN001
    page, viewer = desktop_page, thirty_five_notifications
    next_pages = []
    page.on(
        "request",
        lambda request: "cursor=" in request.url and next_pages.append(request.url),
    )
    log_in(page, viewer.username)
    page.goto("/notifications")
    more = page.locator("[data-role=more]")
    more.wait_for(timeout=WAIT_TIMEOUT_MS)

    more.dblclick()

    more.wait_for(state="hidden", timeout=WAIT_TIMEOUT_MS)
    items = page.locator("[data-role=notifications] > li")
    expect(items).to_have_count(35)
    assert len(next_pages) == 1


def test_show_more_works_while_the_shown_pages_read_marks_are_still_being_sent(
    desktop_page, thirty_five_notifications
):  # noqa: ANN001
    page, viewer = desktop_page, thirty_five_notifications
    log_in(page, viewer.username)
    held = HeldRequests(page, "**/api/notifications/read")
    page.goto("/notifications")
    held.wait_held(1)  # the first page's read marks, not answered yet
    more = page.locator("[data-role=more]")
    more.wait_for(timeout=WAIT_TIMEOUT_MS)

    more.click()

    expect(page.locator("[data-role=notifications] > li")).to_have_count(
        35, timeout=WAIT_TIMEOUT_MS
    )
    more.wait_for(state="hidden", timeout=WAIT_TIMEOUT_MS)
    held.wait_held(2)
    for index in range(2):
        held.release(index)


@pytest.fixture
def alices_sound(web_seed, django_db_blocker):  # noqa: ANN001, ANN201
    """The sound of one of alice's seeded videos, not among the seed viewer's favourites."""
    from sounds.services import sound_favorite_remove
    from videos.models import Video

    viewer = web_seed.users["viewer"]
    with django_db_blocker.unblock():
        sound = Video.objects.get(pk=web_seed.videos["sunset"].pk).sound
        sound_favorite_remove(user=viewer, sound=sound)
    yield sound
    with django_db_blocker.unblock():
        sound_favorite_remove(user=viewer, sound=sound)


def _requests_to(page, method: str, path_end: str) -> list[str]:  # noqa: ANN001
    """The URLs of the page's `method` requests ending in `path_end`, as they are sent."""
    sent: list[str] = []
    page.on(
        "request",
        lambda request: (
            request.method == method and request.url.endswith(path_end) and sent.append(request.url)
        ),
    )
    return sent


def test_a_double_click_on_add_to_favourites_saves_the_sound_with_one_request(
    desktop_page, web_seed, alices_sound, django_db_blocker
):  # noqa: ANN001
    from sounds.models import SoundFavorite

    page = desktop_page
    viewer = web_seed.users["viewer"]
    log_in(page, viewer.username)
    posts = _requests_to(page, "POST", f"/api/sounds/{alices_sound.pk}/favorite")
    page.goto(f"/sound/{alices_sound.pk}")
    favorite = page.locator("[data-action=favorite]")

    favorite.dblclick()

    expect(favorite).to_have_attribute("aria-pressed", "true", timeout=WAIT_TIMEOUT_MS)
    expect(favorite).to_be_enabled()
    assert len(posts) == 1
    with django_db_blocker.unblock():
        assert SoundFavorite.objects.filter(sound=alices_sound, user=viewer).count() == 1


def test_a_favourite_that_fails_enables_the_button_again_and_says_why(
    desktop_page, web_seed, alices_sound
):  # noqa: ANN001
    page = desktop_page
    log_in(page, web_seed.users["viewer"].username)
    page.route(
        f"**/api/sounds/{alices_sound.pk}/favorite",
        lambda route: route.fulfill(status=503, json={"detail": "Try again in a moment"}),
    )
    page.goto(f"/sound/{alices_sound.pk}")
    favorite = page.locator("[data-action=favorite]")

    favorite.click()

    expect(page.locator("#toast")).to_have_text("Try again in a moment", timeout=WAIT_TIMEOUT_MS)
    expect(favorite).to_be_enabled()
    assert favorite.get_attribute("aria-pressed") == "false"


def test_a_double_click_on_approve_sends_one_request(desktop_page, web_seed, django_db_blocker):  # noqa: ANN001
    from profiles.models import Follow, FollowRequest
    from profiles.services.graph import account_privacy_set, follow_create, follow_delete

    alice, mallory = web_seed.users["alice"], web_seed.users["mallory"]
    with django_db_blocker.unblock():
        account_privacy_set(user=alice, private=True)
        follow_create(follower=mallory, followee=alice)  # a request: the account is private
    try:
        page = desktop_page
        log_in(page, alice.username)
        approvals = _requests_to(page, "POST", f"/{mallory.username}/approve")
        page.goto("/notifications")
        request = page.locator(f'[data-role=requests] li[data-username="{mallory.username}"]')

        request.locator("[data-role=approve]").dblclick()

        request.wait_for(state="detached", timeout=WAIT_TIMEOUT_MS)
        assert len(approvals) == 1
        with django_db_blocker.unblock():
            assert Follow.objects.filter(follower=mallory, followee=alice).exists()
            assert not FollowRequest.objects.filter(requester=mallory, target=alice).exists()
    finally:
        with django_db_blocker.unblock():
            follow_delete(follower=mallory, followee=alice)
            FollowRequest.objects.filter(requester=mallory, target=alice).delete()
            account_privacy_set(user=alice, private=False)


def test_a_studio_period_clicked_while_the_figures_load_sends_no_second_request(
    desktop_page, web_seed
):  # noqa: ANN001
    page = desktop_page
    log_in(page, web_seed.users["alice"].username)
    overviews = HeldRequests(page, "**/api/studio/overview?*")
    page.goto("/studio")
    overviews.wait_held(1)
    box = page.locator("[data-days='28']").bounding_box()

    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    overviews.release(0)

    page.wait_for_selector("#studio[data-loaded=true]", timeout=WAIT_TIMEOUT_MS)
    assert len(overviews.routes) == 1
    expect(page.locator("[data-days='28']")).to_be_enabled()
