"""What the moderation app puts in a person's data archive: the decisions about their items,
also once the item is gone."""

from __future__ import annotations

import pytest

from moderation.models import Case
from moderation.personal_data import personal_data
from moderation.services import case_comment_remove, case_video_hide
from tests.factories import CommentFactory, UserFactory, VideoFactory
from tests.moderation.helpers import report

pytestmark = pytest.mark.django_db


def _decisions(user) -> list[dict]:  # noqa: ANN001
    (section,) = [s for s in personal_data(user) if s.name == "moderation_decisions"]
    return list(section.rows)


def test_a_removed_comments_decision_stays_in_its_authors_archive(client_for):  # noqa: ANN001
    author = UserFactory()
    comment = CommentFactory(author=author, body="mean words")
    report(client_for(UserFactory()), "comment", comment)

    case_comment_remove(case=Case.objects.get(kind="comment"), moderator=None)

    assert [(d["item"], d["action"], d["what_it_said"]) for d in _decisions(author)] == [
        ("comment", "remove_comment", "mean words")
    ]


def test_a_decision_on_a_video_deleted_since_stays_in_its_owners_archive(client_for):  # noqa: ANN001
    owner = UserFactory()
    video = VideoFactory(owner=owner, caption="a hidden one")
    report(client_for(UserFactory()), "video", video)
    case_video_hide(case=Case.objects.get(kind="video"), moderator=None)

    video.delete()

    assert [(d["item"], d["action"]) for d in _decisions(owner)] == [("video", "hide_video")]


def test_decisions_about_someone_else_are_not_in_the_archive(client_for):  # noqa: ANN001
    comment = CommentFactory()
    report(client_for(UserFactory()), "comment", comment)
    case_comment_remove(case=Case.objects.get(kind="comment"), moderator=None)

    assert _decisions(UserFactory()) == []


def test_a_moderator_reinstating_what_reports_hid_is_in_the_owners_archive(
    client_for,  # noqa: ANN001
    settings,  # noqa: ANN001
) -> None:
    from moderation.services import case_reinstate

    settings.MODERATION_AUTO_HIDE_REPORTS = 2
    owner = UserFactory()
    video = VideoFactory(owner=owner)
    for _ in range(2):
        assert report(client_for(UserFactory()), "video", video).status_code == 201

    case_reinstate(case=Case.objects.get(), moderator=UserFactory(is_staff=True))

    assert [(d["item"], d["action"]) for d in _decisions(owner)] == [("video", "reinstate")]
