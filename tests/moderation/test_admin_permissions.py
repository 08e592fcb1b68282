"""Who may decide cases in the queue: view_case shows it, the actions take change_case."""

from __future__ import annotations

import pytest

from moderation.models import Case, CaseStatus
from tests.factories import UserFactory, VideoFactory
from tests.moderation.helpers import CHANGELIST, admin_action, report
from tests.support.admin_forms import staff_client
from videos.models import Video

pytestmark = pytest.mark.django_db


def test_staff_who_may_only_view_cases_cannot_suspend_a_user(client_for) -> None:  # noqa: ANN001
    target = UserFactory()
    assert report(client_for(UserFactory()), "user", target).status_code == 201
    case = Case.objects.get(kind="user")
    viewer = staff_client("moderation.view_case")
    assert viewer.get(CHANGELIST).status_code == 200  # may look at the queue

    admin_action(viewer, "suspend_user", case)

    target.refresh_from_db()
    assert target.is_active and target.suspended_at is None
    assert Case.objects.get(pk=case.pk).status == CaseStatus.OPEN


def test_staff_who_may_only_view_cases_see_no_actions(client_for) -> None:  # noqa: ANN001
    report(client_for(UserFactory()), "video", VideoFactory())

    page = staff_client("moderation.view_case").get(CHANGELIST).content.decode()

    for action in ("hide_video", "suspend_user", "reinstate", "dismiss"):
        assert f'value="{action}"' not in page


def test_staff_who_may_change_cases_can_hide_a_video(client_for) -> None:  # noqa: ANN001
    video = VideoFactory()
    assert report(client_for(UserFactory()), "video", video).status_code == 201
    moderator = staff_client("moderation.view_case", "moderation.change_case")

    admin_action(moderator, "hide_video", Case.objects.get(kind="video"))

    assert Video.objects.get(pk=video.pk).hidden_at is not None
