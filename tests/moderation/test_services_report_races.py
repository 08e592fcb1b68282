"""Reports of one item racing each other meet in one open case and count every reporter once
(real threads, real Postgres)."""

from __future__ import annotations

import pytest

from moderation.models import Case, Report
from moderation.services import report_create
from tests.factories import UserFactory, VideoFactory
from tests.videos.test_engagement_concurrency import race

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 6


def test_racing_reporters_share_one_case_and_the_threshold_hides_the_video(settings):  # noqa: ANN001
    settings.MODERATION_AUTO_HIDE_REPORTS = THREADS
    video = VideoFactory()
    reporters = UserFactory.create_batch(THREADS)

    race(
        lambda i: report_create(
            reporter=reporters[i], kind="video", item_id=video.pk, reason="spam"
        ),
        threads=THREADS,
    )

    case = Case.objects.get()
    assert case.reporter_count == THREADS == Report.objects.filter(case=case).count()
    video.refresh_from_db()
    assert video.hidden_reason == "pending_review"


def test_one_reporter_racing_themself_files_one_report():
    video = VideoFactory()
    reporter = UserFactory()

    race(
        lambda i: report_create(reporter=reporter, kind="video", item_id=video.pk, reason="spam"),
        threads=THREADS,
    )

    assert Report.objects.count() == 1
    assert Case.objects.get().reporter_count == 1


def test_two_people_reporting_each_other_at_once_both_get_their_report(monkeypatch) -> None:  # noqa: ANN001
    # Each report locked its reporter's row FOR UPDATE; the new case's foreign key to the
    # other's account then waited for the other's lock: a deadlock, one report answered 500.
    import threading

    import moderation.services as services

    one, two = UserFactory(), UserFactory()
    videos = {one.pk: VideoFactory(owner=two), two.pk: VideoFactory(owner=one)}
    both_locked = threading.Barrier(2)
    real = services._open_case_locked

    def after_both_locked(kind, target):  # noqa: ANN001, ANN202
        both_locked.wait(timeout=30)  # each reporter's own row is locked now
        return real(kind, target)

    monkeypatch.setattr(services, "_open_case_locked", after_both_locked)
    reporters = [one, two]
    race(
        lambda i: report_create(
            reporter=reporters[i], kind="video", item_id=videos[reporters[i].pk].pk, reason="spam"
        ),
        threads=2,
    )
    assert sorted(Report.objects.values_list("reporter_id", flat=True)) == sorted([one.pk, two.pk])
    assert Case.objects.count() == 2
