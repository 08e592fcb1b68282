"""The unread badge counts up to UNREAD_COUNT_CAP (it shows "99+" past 99): a neglected inbox
of a year's notifications is not read whole on every page load, push and fan-out batch."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from notifications.models import Notification
from notifications.selectors import UNREAD_COUNT_CAP, unread_count, unread_counts
from tests.factories import UserFactory
from tests.support.plans import rows_processed

pytestmark = pytest.mark.django_db


def _unread(recipient, n: int) -> None:  # noqa: ANN001
    actor = UserFactory()
    Notification.objects.bulk_create(
        Notification(
            recipient=recipient, kind="like", actor=actor, actor_count=1, group_key=f"k{i}"
        )
        for i in range(n)
    )


def test_counts_stop_at_the_cap_and_read_no_further() -> None:
    flooded, few, none = UserFactory(), UserFactory(), UserFactory()
    _unread(flooded, 2_000)
    _unread(few, 3)
    assert unread_count(user_id=flooded.pk) == UNREAD_COUNT_CAP
    assert unread_count(user_id=few.pk) == 3
    assert unread_counts(user_ids=[flooded.pk, few.pk, none.pk]) == {
        flooded.pk: UNREAD_COUNT_CAP,
        few.pk: 3,
        none.pk: 0,
    }
    for read in (
        lambda: unread_count(user_id=flooded.pk),
        lambda: unread_counts(user_ids=[flooded.pk, few.pk]),
    ):
        with CaptureQueriesContext(connection) as queries:
            read()
        (query,) = queries.captured_queries
        read_rows = rows_processed(query["sql"], table="notifications_notification")
        assert read_rows < 3 * UNREAD_COUNT_CAP  # not the 2,000


def test_the_admin_list_reads_each_notifications_actor_with_the_page() -> None:
    admin = UserFactory(is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(admin)

    def page_queries(rows: int) -> int:
        for _ in range(rows):
            _unread(UserFactory(), 1)
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/admin/notifications/notification/").status_code == 200
        return len(queries.captured_queries)

    assert page_queries(2) == page_queries(20)
