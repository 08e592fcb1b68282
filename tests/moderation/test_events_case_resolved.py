"""Resolving a case tells the apps above (notifications) who reported it and what happened,
once the resolution is committed."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from moderation.events import case_resolved
from moderation.models import Case
from moderation.services import (
    case_comment_remove,
    case_dismiss,
    case_reinstate,
    case_user_suspend,
    case_video_hide,
    report_create,
)
from tests.factories import CommentFactory, UserFactory, VideoFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def received() -> Iterator[list[dict]]:
    calls: list[dict] = []

    def receiver(sender, **kwargs) -> None:  # noqa: ANN001
        calls.append(kwargs)

    case_resolved.connect(receiver, weak=False)
    yield calls
    case_resolved.disconnect(receiver)


def _reported(kind: str, item, reporters: int = 2) -> tuple[Case, list[int]]:  # noqa: ANN001
    ids = []
    for _ in range(reporters):
        reporter = UserFactory()
        ids.append(reporter.pk)
        item_args = {"username": item.username} if kind == "user" else {"item_id": item.pk}
        result = report_create(reporter=reporter, kind=kind, reason="spam", **item_args)
    return result.report.case, ids


def test_hiding_a_video_announces_the_outcome_to_its_reporters_after_commit(
    received,  # noqa: ANN001
    django_capture_on_commit_callbacks,  # noqa: ANN001
):
    video = VideoFactory()
    case, reporter_ids = _reported("video", video)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        case_video_hide(case=case, moderator=None)
    assert received == []  # nothing before the commit
    for callback in callbacks:
        callback()

    assert received == [
        {
            "signal": case_resolved,
            "case_id": case.pk,
            "kind": "video",
            "outcome": "actioned",
            "action": "hide_video",
            "reporter_ids": reporter_ids,
            "video_id": video.pk,
        }
    ]


def test_a_deleted_reporter_is_not_among_those_told(
    received,  # noqa: ANN001
    django_capture_on_commit_callbacks,  # noqa: ANN001
):
    from profiles.models import User
    from profiles.services.account_deletion import account_erase

    video = VideoFactory()
    case, reporter_ids = _reported("video", video, reporters=3)
    account_erase(user=User.objects.get(pk=reporter_ids[1]))

    with django_capture_on_commit_callbacks(execute=True):
        case_dismiss(case=case, moderator=None)

    assert [call["reporter_ids"] for call in received] == [[reporter_ids[0], reporter_ids[2]]]
    assert case.reports.count() == 3  # the deleted account's report stays, anonymous


@pytest.mark.parametrize(
    ("kind", "service", "outcome", "action"),
    [
        ("comment", case_comment_remove, "actioned", "remove_comment"),
        ("user", case_user_suspend, "actioned", "suspend_user"),
        ("video", case_dismiss, "dismissed", "dismiss"),
        ("video", case_reinstate, "dismissed", "reinstate"),
    ],
)
def test_each_resolution_announces_its_kind_outcome_and_action(
    received,  # noqa: ANN001
    django_capture_on_commit_callbacks,  # noqa: ANN001
    kind,  # noqa: ANN001
    service,  # noqa: ANN001
    outcome,  # noqa: ANN001
    action,  # noqa: ANN001
):
    video = VideoFactory()
    items = {"video": video, "comment": CommentFactory(video=video), "user": UserFactory()}
    case, reporter_ids = _reported(kind, items[kind], reporters=1)

    with django_capture_on_commit_callbacks(execute=True):
        service(case=case, moderator=None)

    assert len(received) == 1
    event = received[0]
    assert (event["case_id"], event["kind"], event["outcome"], event["action"]) == (
        case.pk,
        kind,
        outcome,
        action,
    )
    assert event["reporter_ids"] == reporter_ids
    assert event["video_id"] == (None if kind == "user" else video.pk)


def test_a_failing_receiver_does_not_undo_the_resolution(django_capture_on_commit_callbacks):  # noqa: ANN001
    def broken(sender, **kwargs) -> None:  # noqa: ANN001
        raise RuntimeError("notifications are down")

    case_resolved.connect(broken, weak=False)
    try:
        case, _ = _reported("video", VideoFactory())
        with django_capture_on_commit_callbacks(execute=True):
            case_dismiss(case=case, moderator=None)
    finally:
        case_resolved.disconnect(broken)

    case.refresh_from_db()
    assert case.status == "dismissed"


def test_reinstating_a_resolved_case_announces_nothing_again(
    received,  # noqa: ANN001
    django_capture_on_commit_callbacks,  # noqa: ANN001
):
    case, _ = _reported("video", VideoFactory())
    with django_capture_on_commit_callbacks(execute=True):
        case_video_hide(case=case, moderator=None)
        case_reinstate(case=case, moderator=None)

    assert [event["action"] for event in received] == ["hide_video"]
