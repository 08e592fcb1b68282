"""The shape of a page of notifications: a group names its latest people still shown, read
from the database a few rows at a time however many people the group holds."""

from __future__ import annotations

import pytest
from django.db import connection

from notifications.models import Notification, NotificationActor, NotificationKind
from notifications.selectors import ACTORS_SHOWN, notification_payloads
from profiles.models import User
from tests.factories import UserFactory

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
