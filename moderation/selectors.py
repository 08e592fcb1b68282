"""Moderation reads: what a report is about (as its reporter may see it), how much an account
reported lately, and the reported item of a case."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from moderation.models import ACTION_SUSPEND_USER, Case, CaseStatus, Report, ReportKind
from profiles.models import User
from profiles.selectors import hidden_user_ids, user_for_viewer
from sounds.models import Sound
from sounds.selectors import sound_visible
from tiktok.errors import InvalidInput, NotFound
from videos.models import Comment, Video
from videos.selectors.engagement import comment_readable_for_viewer
from videos.visibility import visible_videos

REPORT_WINDOW = timedelta(hours=24)


def report_target(
    *, reporter: User, kind: str, item_id: int | None = None, username: str | None = None
) -> Video | Comment | User | Sound:
    """The item a report is about, as the reporter may see it: NotFound when it is missing or
    not visible to them (both answer the same), InvalidInput when it is their own."""
    target: Video | Comment | User | Sound
    if kind == ReportKind.VIDEO:
        video = visible_videos(viewer=reporter, include_own_unready=True).filter(pk=item_id)
        target = video.select_related("owner").first()
        if target is None:
            raise NotFound("no such video")
        owner_id = target.owner_id
    elif kind == ReportKind.COMMENT:
        # Only a comment the reporter can read in its thread (lists leave the others out).
        target = comment_readable_for_viewer(comment_id=item_id or 0, viewer=reporter)
        owner_id = target.author_id
    elif kind == ReportKind.USER:
        if username is not None:
            target = user_for_viewer(username=username, viewer=reporter)
        else:
            found = User.objects.filter(pk=item_id or 0, is_active=True).first()
            if found is None:
                raise NotFound("no such user")
            target = user_for_viewer(username=found.username, viewer=reporter)
        if target.pk in hidden_user_ids(viewer=reporter):
            # Blocked either way: as for their videos, comments and sounds (the profile page
            # answers the one blocked; the blocker has no item of theirs to report).
            raise NotFound("no such user")
        owner_id = target.pk
    elif kind == ReportKind.SOUND:
        target = sound_visible(sound_id=item_id or 0, viewer=reporter)
        owner_id = target.creator_id
    else:
        raise InvalidInput(f"cannot report a {kind!r}", fields={"kind": ["unknown kind"]})
    if owner_id == reporter.pk:
        raise InvalidInput("you cannot report your own content", code="cannot_report_own")
    return target


def reports_in_window(
    *, reporter: User, now: datetime | None = None
) -> tuple[int, datetime | None]:
    """(reports the account filed in the last 24 hours, when the oldest of them was filed)."""
    since = (now or timezone.now()) - REPORT_WINDOW
    recent = Report.objects.filter(reporter=reporter, created_at__gt=since)
    times = list(recent.order_by("created_at").values_list("created_at", flat=True)[:1])
    return recent.count(), (times[0] if times else None)


def case_item(*, case: Case) -> Any:
    """The reported item (Video, Comment, User or Sound), or None when it was deleted since."""
    if case.kind == ReportKind.VIDEO:
        return case.video
    if case.kind == ReportKind.COMMENT:
        return case.comment
    if case.kind == ReportKind.SOUND:
        return case.sound
    return case.user


def case_target_user(*, case: Case) -> User | None:
    """Whose content it is: the reported account, the video's owner, the comment's author or
    the sound's creator (Case.target_user: still there when the item was deleted since, e.g. a
    reply removed with its thread). None once that account is deleted."""
    return case.target_user


def case_reporter_ids(*, case: Case) -> list[int]:
    """The accounts that reported the case's item, first report first (a deleted reporter's
    report stays, anonymous, and is not among them)."""
    return list(
        case.reports.filter(reporter__isnull=False)
        .order_by("created_at")
        .values_list("reporter_id", flat=True)
    )


def suspensions_in_force(*, user: User, besides: Case | None = None) -> list[int]:
    """The ids of the cases (other than `besides`) whose suspension of this account is still in
    force: actioned as suspend_user, not reinstated."""
    cases = Case.objects.filter(
        target_user=user,
        status=CaseStatus.ACTIONED,
        action=ACTION_SUSPEND_USER,
        reinstated_at__isnull=True,
    )
    if besides is not None:
        cases = cases.exclude(pk=besides.pk)
    return list(cases.order_by("pk").values_list("pk", flat=True))
