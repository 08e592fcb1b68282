"""Account actions outside the feed in a real browser: a failed "Load more" of search results
says why, a page signed out elsewhere offers to sign in again, a profile's follow button sends
one request at a time, a private creator's follow on its video page is a request, follow
requests past the first page can be shown, and a preference box changes one request at a time."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.web.conftest import SEED_PASSWORD, log_in
from tests.web.helpers import WAIT_TIMEOUT_MS, HeldRequests

pytestmark = [pytest.mark.browser]

PREFIX = "zzacct"


@pytest.fixture
def many_accounts(web_seed, django_db_blocker):  # noqa: ANN001, ANN201
    """55 accounts whose names start with PREFIX (more than a page of any list)."""
    from profiles.models import User

    with django_db_blocker.unblock():
        users = [
            User.objects.create_user(
                username=f"{PREFIX}{n:02d}", password=SEED_PASSWORD, display_name=f"Zz {n}"
            )
            for n in range(55)
        ]
    yield users
    with django_db_blocker.unblock():
        User.objects.filter(username__startswith=PREFIX).delete()


def test_a_failed_load_more_of_search_results_says_why(desktop_page, many_accounts):  # noqa: ANN001
    page = desktop_page
    page.goto(f"/search?q={PREFIX}&type=users")
    more = page.locator(".search-section[data-kind=users] [data-role=more]")
    more.wait_for(timeout=WAIT_TIMEOUT_MS)
    shown = page.locator(".search-section[data-kind=users] li").count()
    # The next page's cursor no longer holds (a tab left open past its age): the server's 400.
    page.route(
        "**/api/search*cursor=*",
        lambda route: route.continue_(url=route.request.url.replace("cursor=", "cursor=x")),
    )
    more.click()
    expect(page.locator("#toast")).to_contain_text("cursor", timeout=WAIT_TIMEOUT_MS)
    expect(more).to_be_enabled()
    assert page.locator(".search-section[data-kind=users] li").count() == shown


def test_a_page_signed_out_elsewhere_offers_to_sign_in_again(desktop_page, web_seed):  # noqa: ANN001
    page = desktop_page
    log_in(page, web_seed.users["viewer"].username)
    page.goto(f"/@{web_seed.users['mallory'].username}")
    follow = page.locator("[data-role=follow]")
    follow.wait_for(timeout=WAIT_TIMEOUT_MS)
    # Another tab of the same browser signs out.
    token = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
    assert page.request.post("/api/auth/logout", headers={"X-CSRFToken": token}).ok
    follow.click()
    prompt = page.locator("#signin-prompt")
    expect(prompt).to_have_attribute("open", "", timeout=WAIT_TIMEOUT_MS)
    expect(prompt.locator("[data-role=reason]")).to_contain_text("signed out")


def test_a_quick_second_click_on_a_profile_follow_waits_for_the_first(
    desktop_page, web_seed, django_db_blocker
):  # noqa: ANN001
    from profiles.models import Follow

    viewer, bob = web_seed.users["viewer"], web_seed.users["bob"]
    page = desktop_page
    sent: list[str] = []
    page.on("request", lambda request: "/follow" in request.url and sent.append(request.method))
    try:
        log_in(page, viewer.username)
        page.goto(f"/@{bob.username}")
        follow = page.locator("[data-role=follow]")
        follow.wait_for(timeout=WAIT_TIMEOUT_MS)
        held = HeldRequests(page, "**/api/users/*/follow")
        follow.click()
        held.wait_held(1)
        follow.click(force=True)  # "undo" before the answer: the button waits
        held.release(0)
        expect(follow).to_have_text("Following", timeout=WAIT_TIMEOUT_MS)
        assert sent == ["POST"]
    finally:
        with django_db_blocker.unblock():
            Follow.objects.filter(follower=viewer, followee=bob).delete()


def test_following_a_private_creator_from_its_video_page_is_a_request(
    desktop_page, web_seed, django_db_blocker
):  # noqa: ANN001
    # A follower of a private account unfollows on its video page, then taps Follow to undo:
    # that is a request now ("Requested"), and tapping again withdraws it.
    from profiles.models import Follow, FollowRequest, User
    from profiles.services.graph import follow_create

    viewer, alice = web_seed.users["viewer"], web_seed.users["alice"]
    video = next(v for v in web_seed.videos.values() if v.owner_id == alice.pk)
    page = desktop_page
    sent: list[str] = []
    page.on("request", lambda request: "/follow" in request.url and sent.append(request.method))
    try:
        with django_db_blocker.unblock():
            follow_create(follower=viewer, followee=alice)
            User.objects.filter(pk=alice.pk).update(is_private=True)
        log_in(page, viewer.username)
        page.goto(f"/v/{video.pk}")
        follow = page.locator('[data-action="follow"]')
        expect(follow).to_have_text("Following", timeout=WAIT_TIMEOUT_MS)
        follow.click()
        expect(follow).to_have_text("Follow", timeout=WAIT_TIMEOUT_MS)
        follow.click()
        expect(follow).to_have_text("Requested", timeout=WAIT_TIMEOUT_MS)
        expect(page.locator("#toast")).to_contain_text("request", timeout=WAIT_TIMEOUT_MS)
        with django_db_blocker.unblock():
            assert FollowRequest.objects.filter(requester=viewer, target=alice).exists()
        follow.click()
        expect(follow).to_have_text("Follow", timeout=WAIT_TIMEOUT_MS)
        with django_db_blocker.unblock():
            assert not FollowRequest.objects.filter(requester=viewer, target=alice).exists()
        assert sent == ["DELETE", "POST", "DELETE"]
    finally:
        with django_db_blocker.unblock():
            User.objects.filter(pk=alice.pk).update(is_private=False)
            FollowRequest.objects.filter(requester=viewer, target=alice).delete()
            Follow.objects.filter(follower=viewer, followee=alice).delete()


def test_follow_requests_past_the_first_fifty_can_be_shown_and_decided(
    desktop_page, many_accounts, django_db_blocker
):  # noqa: ANN001
    from profiles.models import FollowRequest, User

    owner, requesters = many_accounts[0], many_accounts[1:]  # 54 requests
    with django_db_blocker.unblock():
        User.objects.filter(pk=owner.pk).update(is_private=True)
        FollowRequest.objects.bulk_create(
            [FollowRequest(requester=person, target=owner) for person in requesters]
        )
    page = desktop_page
    log_in(page, owner.username)
    page.goto("/notifications")
    items = page.locator("[data-role=requests] li")
    expect(items).to_have_count(50, timeout=WAIT_TIMEOUT_MS)
    page.locator("[data-role=more-requests]").click()
    expect(items).to_have_count(54, timeout=WAIT_TIMEOUT_MS)
    expect(page.locator("[data-role=more-requests]")).to_be_hidden()
    names = {items.nth(k).get_attribute("data-username") for k in range(54)}
    assert names == {person.username for person in requesters}


def test_a_preference_box_changes_one_request_at_a_time(desktop_page, web_seed):  # noqa: ANN001
    page = desktop_page
    log_in(page, web_seed.users["bob"].username)
    page.goto("/notifications")
    page.locator("[data-role=preferences] summary").click()
    box = page.locator("[data-role=preferences-form] input[type=checkbox]").first
    box.wait_for(timeout=WAIT_TIMEOUT_MS)
    before = box.is_checked()
    held = HeldRequests(page, "**/api/me/notification-preferences")
    box.click()
    held.wait_held(1)
    expect(box).to_be_disabled()  # no second change while the first is on its way
    # The first is refused (the network failed): the box is as it was before it.
    held.routes[0].abort()
    expect(box).to_be_enabled(timeout=WAIT_TIMEOUT_MS)
    assert box.is_checked() == before


def test_an_avatar_placeholder_shows_a_name_s_first_character_whole(
    desktop_page, web_seed, django_db_blocker
):  # noqa: ANN001
    # "😀Ana" with no picture: `.slice(0, 1)` cut the emoji's surrogate pair into "�"; a name
    # starting with a zero-width character showed nothing.
    from notifications.models import Notification
    from profiles.models import User
    from tests.support.notices import notice_add

    recipient = web_seed.users["bob"]
    names = {"zzacct-emoji": "😀Ana", "zzacct-script": "\u200b𝓜aria"}
    with django_db_blocker.unblock():
        actors = [
            User.objects.create_user(username=username, password=SEED_PASSWORD, display_name=name)
            for username, name in names.items()
        ]
        for actor in actors:
            notice_add(recipient, "follow", f"follow:{actor.pk}", actor=actor)
    try:
        page = desktop_page
        log_in(page, recipient.username)
        page.goto("/notifications")
        placeholders = page.locator(
            "[data-role=notifications] > li[data-kind=follow] .avatar-small"
        )
        expect(placeholders.first).to_be_visible(timeout=WAIT_TIMEOUT_MS)
        shown = {placeholders.nth(k).inner_text() for k in range(placeholders.count())}
        assert {"😀", "𝓜"} <= shown, shown
    finally:
        with django_db_blocker.unblock():
            Notification.objects.filter(recipient=recipient, kind="follow").delete()
            User.objects.filter(username__in=list(names)).delete()
