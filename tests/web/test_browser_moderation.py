"""Moderation in a real browser: a viewer reports a video from its page (and from the feed's
menu), a moderator hides it from the admin queue, and it is gone from the feed, the creator's
profile, search and its media URL."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from urllib.parse import urljoin

import httpx
import pytest
from django.db.models import Q

from tests.web.conftest import SEED_PASSWORD, SEED_USERNAME_PREFIX, log_in
from tests.web.helpers import WAIT_TIMEOUT_MS, active_video_id, eventually, wait_feed_playing

# No django_db: the moderator must be committed for the live server (another process) to see
# them, so the tests read the database with the blocker lifted, outside any test transaction.
pytestmark = [pytest.mark.browser]

MODERATOR = f"{SEED_USERNAME_PREFIX}moderator"


@pytest.fixture
def moderator(web_seed, django_db_blocker) -> Iterator[str]:  # noqa: ANN001
    """A superuser committed for the live server; afterwards the seed is as it was (reports
    gone, hidden videos shown again)."""
    from moderation.models import Case, Report
    from profiles.models import User
    from videos.models import Video

    with django_db_blocker.unblock():
        User.objects.create_superuser(username=MODERATOR, password=SEED_PASSWORD)
    yield MODERATOR
    with django_db_blocker.unblock():
        seeded = [video.pk for video in web_seed.videos.values()]
        people = User.objects.filter(username__startswith=SEED_USERNAME_PREFIX)
        # The seed's items' cases, and any case the seed's people reported (the feed may play
        # another browser test's video first).
        case_ids = set(
            Case.objects.filter(
                Q(video_id__in=seeded) | Q(user__in=people) | Q(reports__reporter__in=people)
            ).values_list("pk", flat=True)
        )
        Report.objects.filter(case_id__in=case_ids).delete()
        Case.objects.filter(pk__in=case_ids).delete()
        Video.objects.filter(pk__in=seeded).update(hidden_at=None, hidden_reason="")
        User.objects.filter(username=MODERATOR).delete()


def _report_through_the_dialog(page, detail: str) -> None:  # noqa: ANN001
    dialog = page.locator("#report-dialog")
    dialog.wait_for(state="visible", timeout=WAIT_TIMEOUT_MS)
    dialog.get_by_label("Spam", exact=True).check()
    dialog.locator("textarea").fill(detail)
    dialog.locator("[data-role=submit]").click()
    dialog.wait_for(state="hidden", timeout=WAIT_TIMEOUT_MS)
    page.wait_for_function(
        "() => document.getElementById('toast').textContent.startsWith('Thanks for reporting')"
    )


FEED_PAGES = 5


def _anonymous_feed_ids(client: httpx.Client) -> set[int]:
    """What a fresh anonymous feed session shows over its first FEED_PAGES pages (a page holds
    at most two videos per creator, so one creator's video may come on a later page)."""
    headers, cursor, shown = {"X-Session-Id": uuid.uuid4().hex}, None, set()
    for _ in range(FEED_PAGES):
        params = {"limit": 50} | ({"cursor": cursor} if cursor else {})
        body = client.get("/api/feed", params=params, headers=headers).json()
        shown |= {item["id"] for item in body["items"]}
        cursor = body.get("next_cursor")
        if not body["items"] or not cursor:
            break
    return shown


def _visible_everywhere(live_url: str, video, media_url: str) -> dict[str, bool]:  # noqa: ANN001
    """Where an anonymous visitor (a fresh feed session each time) finds the video."""
    with httpx.Client(base_url=live_url, timeout=30) as client:
        feed = _anonymous_feed_ids(client)
        search = client.get("/api/search", params={"q": "city lights at night", "limit": 50})
        profile = client.get(f"/@{video.owner.username}")
        media = client.get(urljoin(live_url, media_url))
    return {
        "feed": video.pk in feed,
        "search": video.pk in {item["id"] for item in search.json()["items"]},
        "profile": f"/v/{video.pk}" in profile.text,
        "media": media.status_code == 200,
    }


def test_a_reported_video_hidden_by_a_moderator_is_gone_everywhere(
    mobile_page,  # noqa: ANN001
    desktop_page,  # noqa: ANN001
    live_url,  # noqa: ANN001
    web_seed,  # noqa: ANN001
    moderator,  # noqa: ANN001
    django_db_blocker,  # noqa: ANN001
):
    from moderation.models import Case, Report

    with django_db_blocker.unblock():
        video = web_seed.videos["city"]
        reporter = web_seed.users["viewer"]
        page = mobile_page
        log_in(page, reporter.username)
        page.goto(f"/v/{video.pk}")
        media_url = page.evaluate(
            "() => JSON.parse(document.getElementById('video-card').textContent).mp4_url"
        )
        assert _visible_everywhere(live_url, video, media_url) == dict.fromkeys(
            ("feed", "search", "profile", "media"), True
        )

        page.locator("[data-report-kind=video]").click()
        _report_through_the_dialog(page, "posted this everywhere")

        assert eventually(
            lambda: Report.objects.filter(reporter=reporter, case__video=video).exists()
        )
        case = Case.objects.get(video=video, status="open")
        assert case.reports.get().detail == "posted this everywhere"

        admin = desktop_page
        log_in(admin, moderator)
        admin.goto("/admin/moderation/case/")
        admin.locator(f"input[name=_selected_action][value='{case.pk}']").check()
        admin.select_option("select[name=action]", "hide_video")
        admin.locator("button[name=index]").click()
        admin.wait_for_selector("ul.messagelist li.success", timeout=WAIT_TIMEOUT_MS)

        case.refresh_from_db()
        video.refresh_from_db()
        assert case.status == "actioned" and video.hidden_at is not None
        assert _visible_everywhere(live_url, video, media_url) == dict.fromkeys(
            ("feed", "search", "profile", "media"), False
        )


def test_the_feed_menu_reports_the_playing_video(
    mobile_page, web_seed, moderator, django_db_blocker
):  # noqa: ANN001
    from moderation.models import Report

    with django_db_blocker.unblock():
        reporter = web_seed.users["viewer"]  # owns no video: whichever plays first is reportable
        log_in(mobile_page, reporter.username)
        mobile_page.goto("/")
        wait_feed_playing(mobile_page, 0)
        video_id = active_video_id(mobile_page)

        mobile_page.locator('.slide.active [data-action="menu"]').click()
        mobile_page.locator('#feed-menu [data-action="report"]').click()
        _report_through_the_dialog(mobile_page, "")

        assert eventually(
            lambda: Report.objects.filter(reporter=reporter, case__video_id=video_id).exists()
        )


def test_comments_and_profiles_are_reported_from_their_report_buttons(
    mobile_page,  # noqa: ANN001
    web_seed,  # noqa: ANN001
    moderator,  # noqa: ANN001
    django_db_blocker,  # noqa: ANN001
):
    from moderation.models import Report
    from videos.services.engagement import comment_create, comment_remove

    with django_db_blocker.unblock():
        video, bob = web_seed.videos["sunset"], web_seed.users["bob"]
        reporter = web_seed.users["viewer"]
        spam = comment_create(author=bob, video=video, body="cheap followers, DM me")
        own = comment_create(author=reporter, video=video, body="lovely light")
        try:
            log_in(mobile_page, reporter.username)
            mobile_page.goto(f"/v/{video.pk}")
            flag = "li.comment[data-comment-id='{}'] [data-report-kind=comment]"
            mobile_page.locator(flag.format(spam.pk)).click()
            _report_through_the_dialog(mobile_page, "")
            assert mobile_page.locator(flag.format(own.pk)).is_hidden()

            mobile_page.goto(f"/@{bob.username}")
            mobile_page.locator("[data-report-kind=user]").click()
            _report_through_the_dialog(mobile_page, "impersonates me")

            mine = Report.objects.filter(reporter=reporter)
            assert eventually(lambda: mine.filter(case__comment=spam).exists())
            assert eventually(
                lambda: mine.filter(case__user=bob, detail="impersonates me").exists()
            )
        finally:
            comment_remove(comment=spam)
            comment_remove(comment=own)
