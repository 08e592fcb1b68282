"""The Discover page in a real browser (phone viewport): its sections render from the lists the
refresh stored, "See all" opens a section, a challenge opens on its leaderboard, and the search
box goes to the search page."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.web.conftest import log_in
from tests.web.helpers import WAIT_TIMEOUT_MS

pytestmark = [pytest.mark.browser]


def test_discover_page_sections_see_all_and_a_challenge(mobile_page, web_seed, django_db_blocker):  # noqa: ANN001
    from django.utils import timezone

    from discover.challenges import challenge_create, challenge_join_video
    from discover.models import Challenge, ChallengeEntry
    from discover.tasks import lists_refresh
    from profiles.models import User

    hostile = web_seed.videos["hostile"]  # its caption carries #safety
    with django_db_blocker.unblock():
        # An operator's challenge (only operators may start one in the past, here so the seed's
        # video, posted before the test, falls inside its window); alice is its creator.
        operator = User(pk=web_seed.users["alice"].pk, is_staff=True)
        challenge = challenge_create(
            creator=operator,
            hashtag="#Safety",
            title="Safety week",
            rules="Show one way you stay safe online.",
            starts_at=timezone.now() - dt.timedelta(days=1),
            ends_at=timezone.now() + dt.timedelta(days=6),
        )
        try:
            assert challenge_join_video(video_id=hostile.pk) == [challenge.pk]
            # Its score counts the likes, shares and completions of the last day, which other
            # browser tests in this shared database may have given it.
            score = ChallengeEntry.objects.get(challenge=challenge, video=hostile).score
            lists_refresh()  # what beat runs; the live server reads the same Redis
            page = mobile_page
            log_in(page, web_seed.users["viewer"].username)
            page.goto("/discover")
            assert page.locator(".bottomnav a[href='/discover']").get_attribute("class") == "active"
            videos = page.locator("section[data-section=videos] .grid-item")
            videos.first.wait_for(timeout=WAIT_TIMEOUT_MS)
            assert videos.count() >= 1
            challenges = page.locator("section[data-section=challenges]")
            assert "Safety week" in challenges.inner_text()
            assert "#safety" in challenges.inner_text()
            creators = page.locator("section[data-section=creators] [data-username]")
            assert creators.count() >= 1
            viewer_name = web_seed.users["viewer"].username
            assert (
                page.locator(f"[data-role=creators] [data-username='{viewer_name}']").count() == 0
            )

            challenges.locator("[data-role=see-all]").click()
            page.wait_for_url("**/discover/challenges", timeout=WAIT_TIMEOUT_MS)
            page.locator("a", has_text="Safety week").click()
            page.wait_for_url(f"**/challenge/{challenge.pk}", timeout=WAIT_TIMEOUT_MS)
            entry = page.locator(f"[data-role=leaderboard] li[data-video-id='{hostile.pk}']")
            entry.wait_for(timeout=WAIT_TIMEOUT_MS)
            assert entry.locator("[data-role=score]").inner_text() == str(score)
            # the hostile caption never runs as markup anywhere on the way
            assert page.evaluate("() => window.__pwned") is None

            page.goto("/discover")
            page.fill(".search-form input[name=q]", "cats")
            page.press(".search-form input[name=q]", "Enter")
            page.wait_for_url("**/search?q=cats", timeout=WAIT_TIMEOUT_MS)
        finally:
            Challenge.objects.filter(pk=challenge.pk).delete()
