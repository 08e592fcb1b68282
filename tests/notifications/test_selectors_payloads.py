"""The shape of a page of notifications: a group names its latest people still shown, read
from the database a few rows at a time however many people the group holds."""

from __future__ import annotations

import pytest
from django.db import connection

from notifications.models import Notification, NotificationActor, NotificationKind
from notifications.selectors import ACTORS_SHOWN, notification_payloads
from profiles.models import User
from tests.factories import UserFactory
from tests.support.planner import PREFER_INDEX, RESET_PREFERENCE

pytestmark = pytest.mark.django_db

GROUP_PEOPLE = 40


def _group_of_likes(video, creator, people: list[User]) -> Notification:  # noqa: ANN001
    group = Notification.objects.create(
        recipient=creator,
        kind=NotificationKind.LIKE,
        group_key=f"like:video:{video.pk}",
        actor=people[-1],
        actor_count=len(people),
        video=video,
    )
    for person in people:  # one at a time, oldest first, as likes arrive
        NotificationActor.objects.create(notification=group, actor=person)
    return group


def test_a_big_group_loads_only_the_people_it_names_and_skips_the_suspended_newest(video, creator):
    people = [UserFactory(display_name=f"Fan {i}") for i in range(GROUP_PEOPLE)]
    group = _group_of_likes(video, creator, people)
    # The latest person leads the group (were they suspended, it would leave the list); the
    # two who joined just before them are suspended, so the second name is the fourth newest.
    User.objects.filter(pk__in=[people[-2].pk, people[-3].pk]).update(is_active=False)
    actor_rows_read = 0

    def count_actor_rows(execute, sql, params, many, context):  # noqa: ANN001, ANN202
        nonlocal actor_rows_read
        result = execute(sql, params, many, context)
        if NotificationActor._meta.db_table in sql and context["cursor"].rowcount > 0:
            actor_rows_read += context["cursor"].rowcount
        return result

    with connection.execute_wrapper(count_actor_rows):
        [payload] = notification_payloads(notifications=[group], viewer=creator)

    assert actor_rows_read <= ACTORS_SHOWN
    newest = f"Fan {GROUP_PEOPLE - 1}"
    assert payload["text"] == f"{newest} and {GROUP_PEOPLE - 1} others liked your video"
    assert [card["display_name"] for card in payload["actors"]] == [
        newest,
        f"Fan {GROUP_PEOPLE - 4}",
    ]


def _rows_scanned(plan: dict, relation: str) -> int:
    """Rows the plan's scans of `relation` produced, over all their loops."""
    own = plan.get("Actual Rows", 0) * plan.get("Actual Loops", 1)
    scanned = own if plan.get("Relation Name") == relation else 0
    return scanned + sum(_rows_scanned(child, relation) for child in plan.get("Plans", []))


def test_a_big_groups_latest_people_are_read_from_the_newest_end_not_the_whole_group(
    video, creator
):
    """Every like delivered to a viral video's group renders the group again for the live push:
    reading all its people each time (numbering them to keep two) grew with the group."""
    people = [UserFactory() for _ in range(GROUP_PEOPLE)]
    group = _group_of_likes(video, creator, people)
    User.objects.filter(pk=people[-2].pk).update(is_active=False)
    statements = []

    def keep_actor_reads(execute, sql, params, many, context):  # noqa: ANN001, ANN202
        if NotificationActor._meta.db_table in sql:
            statements.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(keep_actor_reads):
        [payload] = notification_payloads(notifications=[group], viewer=creator)
    assert [card["username"] for card in payload["actors"]] == [
        people[-1].username,
        people[-3].username,
    ]

    [(statement, params)] = statements
    with connection.cursor() as cursor:
        cursor.execute(PREFER_INDEX)
        try:
            cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + statement, params)
            [[[plan]]] = cursor.fetchall()
        finally:
            cursor.execute(RESET_PREFERENCE)
    # The two shown and the suspended one between them, not the group's forty.
    assert _rows_scanned(plan["Plan"], NotificationActor._meta.db_table) <= ACTORS_SHOWN + 1
