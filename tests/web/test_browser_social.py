"""The social layer in a real browser: a like notification arriving live on the creator's open
Inbox (and read there), and a private account's follow request approved from the notifications
page."""

from __future__ import annotations

import pytest

from tests.web.conftest import log_in
from tests.web.helpers import WAIT_TIMEOUT_MS, eventually

pytestmark = [pytest.mark.browser]


def _alices_video(web_seed):  # noqa: ANN001, ANN202
    alice = web_seed.users["alice"]
    return next(v for v in web_seed.videos.values() if v.owner_id == alice.pk)


def test_a_like_notification_arrives_live_on_the_creators_open_inbox_and_is_marked_read(
    desktop_page, mobile_page, web_seed, celery_worker, django_db_blocker
):  # noqa: ANN001
    from notifications.models import Notification
    from videos.services.engagement import like_delete

    alice, bob = web_seed.users["alice"], web_seed.users["bob"]
    video = _alices_video(web_seed)
    with django_db_blocker.unblock():  # a clean slate: bob has not liked it, alice not been told
        # Through the service, so the video's like count stays that of its likes (other tests
        # in this shared database compare the two).
        like_delete(user=bob, video=video)
        Notification.objects.filter(recipient=alice).delete()
    try:
        log_in(desktop_page, alice.username)
        desktop_page.goto("/notifications")
        desktop_page.wait_for_function(
            "() => document.body.dataset.unread === '0'", timeout=WAIT_TIMEOUT_MS
        )

        log_in(mobile_page, bob.username)
        mobile_page.goto(f"/v/{video.pk}")
        mobile_page.click('.video-actions [data-action="like"]')

        # No reload: the socket brings the list item, which the open Inbox marks read.
        first = desktop_page.locator("[data-role=notifications] li").first
        first.wait_for(timeout=WAIT_TIMEOUT_MS)
        assert first.get_attribute("data-kind") == "like"
        assert first.locator("[data-role=text]").inner_text() == (
            f"{bob.display_name} liked your video"
        )
        with django_db_blocker.unblock():
            assert eventually(
                lambda: (
                    Notification.objects.filter(recipient=alice, kind="like")
                    .exclude(read_at=None)
                    .exists()
                )
            )
            assert not Notification.objects.filter(recipient=alice, read_at=None).exists()
        desktop_page.wait_for_function(
            "() => document.body.dataset.unread === '0'", timeout=WAIT_TIMEOUT_MS
        )
        assert desktop_page.locator("header [data-role=notif-badge]").is_hidden()
    finally:
        with django_db_blocker.unblock():
            like_delete(user=bob, video=video)


def test_private_account_request_approved_then_followers_only_video_visible(
    desktop_page, mobile_page, web_seed, django_db_blocker
):  # noqa: ANN001
    from profiles.models import Follow, FollowRequest
    from profiles.services.graph import account_privacy_set
    from videos.models import Privacy, Video

    alice, mallory = web_seed.users["alice"], web_seed.users["mallory"]
    video = _alices_video(web_seed)
    with django_db_blocker.unblock():
        account_privacy_set(user=alice, private=True)
        Video.objects.filter(pk=video.pk).update(privacy=Privacy.FOLLOWERS)
        Follow.objects.filter(follower=mallory, followee=alice).delete()
    try:
        page = mobile_page
        log_in(page, mallory.username)
        page.goto(f"/@{alice.username}")
        assert page.locator("[data-role=private-note]").is_visible()
        assert page.locator(f'a[href="/v/{video.pk}"]').count() == 0
        assert page.goto(f"/v/{video.pk}").status == 404
        page.goto(f"/@{alice.username}")
        page.click("[data-role=follow]")
        page.wait_for_function(
            "() => document.querySelector('[data-role=follow]').textContent === 'Requested'",
            timeout=WAIT_TIMEOUT_MS,
        )

        log_in(desktop_page, alice.username)
        desktop_page.goto("/notifications")
        request = desktop_page.locator(
            f'[data-role=requests] li[data-username="{mallory.username}"]'
        )
        request.locator("[data-role=approve]").click()
        request.wait_for(state="detached", timeout=WAIT_TIMEOUT_MS)
        with django_db_blocker.unblock():
            assert Follow.objects.filter(follower=mallory, followee=alice).exists()
            assert not FollowRequest.objects.filter(requester=mallory).exists()

        page.goto(f"/@{alice.username}")
        assert page.locator("[data-role=private-note]").count() == 0
        assert page.locator(f'a[href="/v/{video.pk}"]').count() == 1
        assert page.goto(f"/v/{video.pk}").status == 200
        assert page.locator(".video-actions").is_visible()
    finally:
        with django_db_blocker.unblock():
            Video.objects.filter(pk=video.pk).update(privacy=Privacy.PUBLIC)
            account_privacy_set(user=alice, private=False)
            Follow.objects.filter(follower=mallory, followee=alice).delete()


def test_a_mention_in_a_comment_links_to_the_profile(mobile_page, web_seed, django_db_blocker):  # noqa: ANN001
    from videos.models import Comment
    from videos.services.engagement import comment_delete

    alice, bob = web_seed.users["alice"], web_seed.users["bob"]
    video = _alices_video(web_seed)
    body = f"great shot @{alice.username}!"
    try:
        log_in(mobile_page, bob.username)
        mobile_page.goto(f"/v/{video.pk}")
        mobile_page.fill("#comments input[name=body]", body)
        mobile_page.click("#comments button[type=submit]")

        mention = mobile_page.locator("#comments .comment-body a.mention").first
        mention.wait_for(timeout=WAIT_TIMEOUT_MS)
        assert mention.inner_text() == f"@{alice.username}"
        assert mention.get_attribute("href") == f"/@{alice.username}"
        assert mobile_page.locator("#comments .comment-body").first.inner_text() == body
    finally:
        with django_db_blocker.unblock():
            for comment in Comment.objects.filter(video=video, author=bob, body=body):
                comment_delete(comment=comment, actor=bob)  # keeps the video's count right
