"""Enough distinct reporters hide an item pending review; one loud account does not."""

from __future__ import annotations

import pytest

from moderation.models import Case
from moderation.services import report_create
from tests.factories import CommentFactory, UserFactory, VideoFactory
from tests.moderation.helpers import report

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _threshold(settings):  # noqa: ANN001
    settings.MODERATION_AUTO_HIDE_REPORTS = 3


def test_a_video_is_hidden_pending_review_at_the_threshold_of_distinct_reporters(
    client_for,  # noqa: ANN001
    video,  # noqa: ANN001
):
    for _ in range(2):
        report(client_for(UserFactory()), "video", video)
    video.refresh_from_db()
    assert video.hidden_at is None
    assert client_for(UserFactory()).get(f"/api/videos/{video.pk}").status_code == 200

    report(client_for(UserFactory()), "video", video)

    video.refresh_from_db()
    assert video.hidden_at is not None and video.hidden_reason == "pending_review"
    assert Case.objects.get().auto_hidden_at is not None
    assert client_for(UserFactory()).get(f"/api/videos/{video.pk}").status_code == 404
    # Its owner still sees it.
    assert client_for(video.owner).get(f"/api/videos/{video.pk}").status_code == 200


def test_one_account_reporting_ten_times_hides_nothing(client_for, video):  # noqa: ANN001
    client = client_for(UserFactory())

    statuses = {report(client, "video", video).status_code for _ in range(10)}

    video.refresh_from_db()
    assert statuses == {201, 200}
    assert video.hidden_at is None
    assert Case.objects.get().reporter_count == 1


def test_a_comment_is_hidden_pending_review_at_the_threshold(client_for, video):  # noqa: ANN001
    comment = CommentFactory(video=video)
    for _ in range(3):
        report(client_for(UserFactory()), "comment", comment)

    comment.refresh_from_db()
    assert comment.hidden_at is not None
    listed = client_for(UserFactory()).get(f"/api/videos/{video.pk}/comments").json()["results"]
    assert listed == []


def test_a_reported_account_is_not_suspended_automatically_but_comes_first(client_for):  # noqa: ANN001
    target = UserFactory()
    quiet_video = VideoFactory()
    report(client_for(UserFactory()), "video", quiet_video)
    for _ in range(4):
        report(client_for(UserFactory()), "user", target)

    target.refresh_from_db()
    assert target.is_active and target.suspended_at is None
    queue = list(Case.objects.order_by("-reporter_count", "first_reported_at"))
    assert queue[0].user == target


def test_a_report_after_the_case_was_resolved_opens_a_new_case(video):  # noqa: ANN001
    from moderation.services import case_dismiss

    reporter = UserFactory()
    first = report_create(reporter=reporter, kind="video", item_id=video.pk, reason="spam")
    case_dismiss(case=first.report.case, moderator=None)

    again = report_create(reporter=reporter, kind="video", item_id=video.pk, reason="spam")

    assert again.created and again.report.case_id != first.report.case_id
    assert Case.objects.filter(status="open").count() == 1


def test_reporters_a_moderator_already_heard_do_not_hide_the_item_again(client_for, video):  # noqa: ANN001
    # Three accounts hide a video; a moderator dismisses the case (it shows again). The same
    # three reporting again open a new case but hide nothing; new reporters still can.
    from moderation.services import case_dismiss

    first = [UserFactory() for _ in range(3)]
    for user in first:
        report(client_for(user), "video", video)
    video.refresh_from_db()
    assert video.hidden_at is not None
    case_dismiss(case=Case.objects.get(), moderator=None)
    video.refresh_from_db()
    assert video.hidden_at is None

    for user in first:
        assert report(client_for(user), "video", video).status_code == 201
    video.refresh_from_db()
    assert video.hidden_at is None
    reopened = Case.objects.get(status="open")
    assert reopened.reporter_count == 3 and reopened.auto_hidden_at is None

    for _ in range(3):
        report(client_for(UserFactory()), "video", video)
    video.refresh_from_db()
    assert video.hidden_at is not None and video.hidden_reason == "pending_review"


def test_accounts_younger_than_the_minimum_age_do_not_hide_an_item(client_for, video, settings):  # noqa: ANN001
    # Five accounts registered a moment ago report a video: it stays up (their case still
    # leads the queue); established accounts reaching the threshold hide it.
    import datetime as dt

    from django.utils import timezone

    settings.MODERATION_AUTO_HIDE_MIN_ACCOUNT_AGE_HOURS = 24
    for _ in range(5):
        report(client_for(UserFactory()), "video", video)
    video.refresh_from_db()
    assert video.hidden_at is None
    assert Case.objects.get().reporter_count == 5
    established = timezone.now() - dt.timedelta(days=2)
    for _ in range(3):
        report(client_for(UserFactory(date_joined=established)), "video", video)
    video.refresh_from_db()
    assert video.hidden_at is not None and video.hidden_reason == "pending_review"


def test_a_heard_reporter_s_deleted_account_does_not_stop_new_reporters(client_for, video):  # noqa: ANN001
    # A dismissed case's reporter deletes their account: the report stays, anonymous. New
    # reporters reaching the threshold still hide the video (an anonymous report among those
    # already heard must not count every reporter as heard).
    from moderation.services import case_dismiss
    from profiles.services.account_deletion import account_erase

    heard = UserFactory()
    report(client_for(heard), "video", video)
    case_dismiss(case=Case.objects.get(), moderator=None)
    account_erase(user=heard)

    for _ in range(3):
        assert report(client_for(UserFactory()), "video", video).status_code == 201

    video.refresh_from_db()
    assert video.hidden_at is not None and video.hidden_reason == "pending_review"
