"""Reports in the admin: evidence, read-only, never deleted from under their case."""

from __future__ import annotations

import pytest

from moderation.models import Case, Report
from tests.factories import UserFactory, VideoFactory
from tests.moderation.helpers import report
from tests.support.admin_forms import superuser_client

pytestmark = pytest.mark.django_db
REPORTS = "/admin/moderation/report/"


def _case_with_two_reports(client_for) -> Case:  # noqa: ANN001
    video = VideoFactory()
    for _ in range(2):
        assert report(client_for(UserFactory()), "video", video).status_code == 201
    return Case.objects.get()


def test_a_report_cannot_be_deleted_in_the_admin(client_for) -> None:  # noqa: ANN001
    case = _case_with_two_reports(client_for)
    first = case.reports.order_by("pk").first()

    response = superuser_client().post(f"{REPORTS}{first.pk}/delete/", {"post": "yes"})

    assert response.status_code == 403
    case.refresh_from_db()
    assert (case.reports.count(), case.reporter_count) == (2, 2)


def test_reports_cannot_be_deleted_in_bulk_from_the_admin_list(client_for) -> None:  # noqa: ANN001
    case = _case_with_two_reports(client_for)
    client = superuser_client()

    assert 'value="delete_selected"' not in client.get(REPORTS).content.decode()
    client.post(
        REPORTS,
        {
            "action": "delete_selected",
            "_selected_action": list(case.reports.values_list("pk", flat=True)),
            "post": "yes",
        },
    )

    assert Report.objects.filter(case=case).count() == 2


def test_deleting_an_account_that_made_reports_keeps_them_anonymous(client_for) -> None:  # noqa: ANN001
    case = _case_with_two_reports(client_for)
    reporter = case.reports.order_by("pk").first().reporter

    client = superuser_client()
    url = f"/admin/profiles/user/{reporter.pk}/delete/"

    assert not client.get(url).context["perms_lacking"]
    assert client.post(url, {"post": "yes"}).status_code == 302
    case.refresh_from_db()
    assert (case.reports.count(), case.reporter_count) == (2, 2)
    anonymous = case.reports.order_by("pk").first()
    assert anonymous.reporter is None
    # The queue and the reports list still show the case and the report.
    assert client.get(f"/admin/moderation/case/{case.pk}/change/").status_code == 200
    assert client.get(REPORTS).status_code == 200
    assert client.get(f"{REPORTS}{anonymous.pk}/change/").status_code == 200


def test_the_reports_list_reads_its_reporters_in_the_page_query(client_for) -> None:  # noqa: ANN001
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def page_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(REPORTS).status_code == 200
        return len(queries.captured_queries)

    client = superuser_client()
    _case_with_two_reports(client_for)
    few = page_queries()
    for _ in range(4):  # more reports, by other accounts, of other videos
        assert report(client_for(UserFactory()), "video", VideoFactory()).status_code == 201

    assert page_queries() == few  # not one more query per row


def test_a_cases_page_reads_its_reporters_with_its_reports(client_for) -> None:  # noqa: ANN001
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = superuser_client()
    target = UserFactory()
    for _ in range(2):
        assert report(client_for(UserFactory()), "user", target).status_code == 201
    case = Case.objects.get()

    def page_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            page = client.get(f"/admin/moderation/case/{case.pk}/change/")
            assert page.status_code == 200
        return len(queries.captured_queries)

    few = page_queries()
    for _ in range(6):
        assert report(client_for(UserFactory()), "user", target).status_code == 201
    assert page_queries() == few  # not one more query per report
