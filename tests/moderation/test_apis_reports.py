"""POST /api/reports: who may report what, repeats, limits and bad input."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from moderation.models import Case, Report
from tests.factories import CommentFactory, UserFactory, VideoFactory
from tests.moderation.helpers import report
from tests.support.errors import assert_error_shape
from tiktok.api.throttling import ScopedRateThrottle
from videos.models import Privacy

pytestmark = pytest.mark.django_db


def test_a_signed_in_user_reports_a_video_with_a_reason_and_detail(client_for, video):  # noqa: ANN001
    reporter = UserFactory()

    response = report(client_for(reporter), "video", video, reason="hate", detail=" <b>bad</b> ")

    assert response.status_code == 201
    assert response.json()["created"] is True
    stored = Report.objects.get(pk=response.json()["id"])
    assert (stored.reason, stored.detail, stored.reporter) == ("hate", "<b>bad</b>", reporter)
    assert (stored.case.kind, stored.case.video, stored.case.reporter_count) == ("video", video, 1)


def test_comments_and_users_can_be_reported(client_for, video):  # noqa: ANN001
    client = client_for(UserFactory())
    comment = CommentFactory(video=video)

    assert report(client, "comment", comment).status_code == 201
    assert report(client, "user", video.owner, reason="harassment").status_code == 201
    assert set(Case.objects.values_list("kind", flat=True)) == {"comment", "user"}


def test_anonymous_reports_are_401(video):  # noqa: ANN001
    assert_error_shape(report(APIClient(), "video", video), 401, "not_authenticated")
    assert not Report.objects.exists()


@pytest.mark.parametrize("kind", ["video", "comment", "user"])
def test_reporting_your_own_item_is_400(client_for, creator, video, kind):  # noqa: ANN001
    items = {
        "video": video,
        "comment": CommentFactory(video=video, author=creator),
        "user": creator,
    }

    response = report(client_for(creator), kind, items[kind])

    assert_error_shape(response, 400, "cannot_report_own")
    assert not Case.objects.exists()


def test_a_video_you_cannot_see_is_404_like_a_missing_one(client_for):  # noqa: ANN001
    client = client_for(UserFactory())
    private = VideoFactory(privacy=Privacy.PRIVATE)
    followers_only = VideoFactory(privacy=Privacy.FOLLOWERS)

    for video in (private, followers_only):
        assert_error_shape(report(client, "video", video), 404, "not_found")
    missing = client.post("/api/reports", {"kind": "video", "id": 999_999, "reason": "spam"})
    assert_error_shape(missing, 404, "not_found")
    assert not Case.objects.exists()


def test_a_comment_on_a_video_you_cannot_see_is_404(client_for):  # noqa: ANN001
    comment = CommentFactory(video=VideoFactory(privacy=Privacy.PRIVATE))

    assert_error_shape(report(client_for(UserFactory()), "comment", comment), 404)


def test_a_user_who_blocked_you_is_404(client_for, creator):  # noqa: ANN001
    from profiles.models import Block

    reporter = UserFactory()
    Block.objects.create(blocker=creator, blocked=reporter)

    assert_error_shape(report(client_for(reporter), "user", creator), 404)


def test_a_user_you_blocked_is_404_by_name_or_id(client_for, creator):  # noqa: ANN001
    from profiles.models import Block

    reporter = UserFactory()
    Block.objects.create(blocker=reporter, blocked=creator)

    assert_error_shape(report(client_for(reporter), "user", creator), 404)
    by_id = client_for(reporter).post(
        "/api/reports", {"kind": "user", "id": creator.pk, "reason": "spam"}, format="json"
    )
    assert_error_shape(by_id, 404)
    assert not Case.objects.exists()


def test_a_repeat_report_is_200_and_counts_once(client_for, video):  # noqa: ANN001
    client = client_for(UserFactory())
    first = report(client, "video", video)

    again = report(client, "video", video, reason="hate")

    assert again.status_code == 200
    assert again.json() == {**first.json(), "created": False}
    case = Case.objects.get()
    assert case.reporter_count == 1 and case.reports.count() == 1


def test_distinct_reporters_share_one_open_case(client_for, video):  # noqa: ANN001
    for _ in range(3):
        assert report(client_for(UserFactory()), "video", video).status_code == 201

    case = Case.objects.get()
    assert case.reporter_count == 3
    assert case.first_reported_at <= case.last_reported_at


def test_bad_reason_is_400_naming_the_field(client_for, video):  # noqa: ANN001
    body = assert_error_shape(report(client_for(UserFactory()), "video", video, reason="ugly"), 400)

    assert "reason" in body["fields"]


def test_detail_over_500_characters_is_400_naming_the_field(client_for, video):  # noqa: ANN001
    response = report(client_for(UserFactory()), "video", video, detail="x" * 501)

    body = assert_error_shape(response, 400)
    assert "detail" in body["fields"] and "500" in body["detail"]


def test_missing_id_is_400_naming_the_field(client_for):  # noqa: ANN001
    response = client_for(UserFactory()).post(
        "/api/reports", {"kind": "video", "reason": "spam"}, format="json"
    )

    assert "id" in assert_error_shape(response, 400)["fields"]


def test_the_reports_throttle_answers_429_with_retry_after(client_for, monkeypatch):  # noqa: ANN001
    monkeypatch.setitem(ScopedRateThrottle.THROTTLE_RATES, "reports", "2/min")
    client = client_for(UserFactory())
    videos = VideoFactory.create_batch(3)

    statuses = [report(client, "video", video).status_code for video in videos]

    assert statuses == [201, 201, 429]
    assert int(report(client, "video", videos[2])["Retry-After"]) > 0


def test_the_daily_cap_per_account_answers_429_with_retry_after(client_for, settings):  # noqa: ANN001
    settings.MODERATION_REPORTS_PER_DAY = 2
    client = client_for(UserFactory())
    videos = VideoFactory.create_batch(3)
    for video in videos[:2]:
        assert report(client, "video", video).status_code == 201

    refused = report(client, "video", videos[2])

    assert_error_shape(refused, 429, "report_limit")
    assert 0 < int(refused["Retry-After"]) <= 24 * 3600
    assert Report.objects.count() == 2
    # A repeat of an open report is still a no-op, not refused.
    assert report(client, "video", videos[0]).status_code == 200
