"""moderation 0003 fills Case.target_user for the cases already stored, from the item each
still points to."""

from __future__ import annotations

import pytest

from moderation.models import Case
from tests.factories import CommentFactory, UserFactory, VideoFactory
from tests.support.migrations import migrate_to, migrate_to_latest

BEFORE = [("moderation", "0002_sound_reports")]
AFTER = [("moderation", "0003_case_target_user")]


@pytest.mark.django_db(transaction=True)
def test_stored_cases_get_the_account_their_item_belongs_to() -> None:
    video, comment, account = VideoFactory(), CommentFactory(), UserFactory()
    old_case = migrate_to(BEFORE).get_model("moderation", "Case")
    on_video = old_case.objects.create(kind="video", video_id=video.pk)
    on_comment = old_case.objects.create(kind="comment", comment_id=comment.pk)
    on_account = old_case.objects.create(kind="user", user_id=account.pk)
    item_gone = old_case.objects.create(kind="comment", snapshot="removed before")

    try:
        migrate_to(AFTER)
        owners = dict(Case.objects.values_list("pk", "target_user_id"))
        assert owners == {
            on_video.pk: video.owner_id,
            on_comment.pk: comment.author_id,
            on_account.pk: account.pk,
            item_gone.pk: None,
        }
    finally:
        migrate_to_latest()
