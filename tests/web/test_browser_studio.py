"""The creator studio in a real browser: a viewer opens a creator's video from her profile
grid (the client reports the traffic source "profile"), the rollups run over the real log, and
the creator's dashboard and drill-down draw their charts from them."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.web.conftest import log_in
from tests.web.helpers import WAIT_TIMEOUT_MS, eventually

pytestmark = [pytest.mark.browser]


def test_studio_charts_come_from_real_rollups_of_browser_events(
    desktop_page, mobile_page, web_seed, django_db_blocker
):  # noqa: ANN001
    from django.utils import timezone

    from feed.models import Interaction
    from studio.models import VideoDay
    from studio.rollups import rollup_day, rollup_recent_hours

    alice, bob = web_seed.users["alice"], web_seed.users["bob"]
    video = next(v for v in web_seed.videos.values() if v.owner_id == alice.pk)
    today = timezone.now().astimezone(dt.UTC).date()
    try:
        viewer = mobile_page
        log_in(viewer, bob.username)
        viewer.goto(f"/@{alice.username}")
        viewer.click(f'a[href="/v/{video.pk}"]')
        viewer.wait_for_url(f"**/v/{video.pk}", timeout=WAIT_TIMEOUT_MS)
        viewer.wait_for_function(
            "() => { const v = document.getElementById('player'); return v && v.currentTime > 3; }",
            timeout=WAIT_TIMEOUT_MS,
        )
        # Leaving the video sends the end of the view with its watch time: a pause (a skip when
        # it ended within SKIP_WITHIN_MS; past 3 s it is a pause, but both end a view).
        viewer.goto("/notifications")

        def reported() -> bool:
            with django_db_blocker.unblock():
                return Interaction.objects.filter(
                    user=bob, video=video, type__in=("pause", "skip"), traffic_source="profile"
                ).exists()

        assert eventually(reported), "the browser's events did not arrive"
        with django_db_blocker.unblock():
            plays = Interaction.objects.filter(
                user=bob, video=video, type="play", traffic_source="profile"
            ).count()
            assert plays >= 1
            rollup_day(day=today)
            rollup_recent_hours()

        page = desktop_page
        log_in(page, alice.username)
        page.goto(f"/@{alice.username}")
        page.click("[data-role=studio]")
        page.wait_for_url("**/studio", timeout=WAIT_TIMEOUT_MS)
        page.wait_for_function(
            "() => document.getElementById('studio').dataset.loaded === 'true'",
            timeout=WAIT_TIMEOUT_MS,
        )
        for name in ("views", "watch", "followers", "hours"):
            chart = page.locator(f"[data-chart={name}]")
            assert chart.locator("canvas").count() == 1, name
            assert int(chart.get_attribute("data-points")) > 0, name
        assert int(page.locator("[data-chart=views]").get_attribute("data-total")) >= plays
        assert float(page.locator("[data-chart=watch]").get_attribute("data-total")) > 0
        assert page.locator("[data-source=profile] progress").count() == 1
        views_card = page.locator("[data-total=views] .studio-card-value").inner_text()
        assert int(views_card) >= plays

        page.click(f'[data-role=top] a[data-video="{video.pk}"]')
        page.wait_for_url(f"**/studio/videos/{video.pk}", timeout=WAIT_TIMEOUT_MS)
        page.wait_for_function(
            "() => document.getElementById('studio').dataset.loaded === 'true'",
            timeout=WAIT_TIMEOUT_MS,
        )
        retention = page.locator("[data-chart=retention]")
        assert retention.locator("canvas").count() == 1
        assert int(retention.get_attribute("data-points")) > 1
        assert float(retention.get_attribute("data-total")) > 0

        # On a phone the dashboard fits the screen: no sideways scrolling.
        mobile = mobile_page
        log_in(mobile, alice.username)
        mobile.goto("/studio")
        mobile.wait_for_function(
            "() => document.getElementById('studio').dataset.loaded === 'true'",
            timeout=WAIT_TIMEOUT_MS,
        )
        assert mobile.evaluate(
            "() => document.documentElement.scrollWidth <= window.innerWidth + 1"
        )
        assert mobile.locator("[data-chart=views] canvas").count() == 1
    finally:
        with django_db_blocker.unblock():
            Interaction.objects.filter(user=bob, video=video).delete()
            VideoDay.objects.filter(day=today).delete()
            rollup_day(day=today)


def test_daily_charts_and_date_pickers_keep_to_utc_days_west_of_utc(live_url, browser, web_seed):  # noqa: ANN001
    # Days are UTC days. In a browser west of UTC the charts placed (and named) each day at
    # the evening before, and the pickers offered dates the API does not take yet east of it.
    from django.utils import timezone

    from tests.web.conftest import DESKTOP_VIEWPORT, _pages_checked_for_csp_violations

    today = timezone.now().astimezone(dt.UTC).date()
    context = browser.new_context(
        base_url=live_url, viewport=DESKTOP_VIEWPORT, timezone_id="America/Los_Angeles"
    )
    pages = _pages_checked_for_csp_violations(context)
    page = next(pages)
    try:
        log_in(page, web_seed.users["alice"].username)
        page.goto("/studio")
        page.wait_for_function(
            "() => document.getElementById('studio').dataset.loaded === 'true'",
            timeout=WAIT_TIMEOUT_MS,
        )
        assert page.locator("input[name=to]").get_attribute("max") == today.isoformat()
        assert (
            page.locator("input[name=from]").get_attribute("min")
            == (today - dt.timedelta(days=90)).isoformat()
        )
        chart = page.locator("[data-chart=views] .u-over")
        box = chart.bounding_box()
        page.mouse.move(box["x"] + box["width"] - 2, box["y"] + box["height"] / 2)
        legend_day = page.locator("[data-chart=views] .u-legend .u-series").first
        assert eventually(lambda: today.isoformat() in legend_day.inner_text()), (
            legend_day.inner_text()
        )
    finally:
        next(pages, None)
