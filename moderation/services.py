"""Moderation's writes: reports and the cases they open (hiding an item pending review once
enough accounts reported it), and the moderators' actions on a case. The admin calls these;
each resolution is announced to the apps above (moderation.events) after it is committed."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from moderation.events import case_resolved_announce
from moderation.models import (
    ACTION_DISMISS,
    ACTION_HIDE_SOUND,
    ACTION_HIDE_VIDEO,
    ACTION_REINSTATE,
    ACTION_REMOVE_COMMENT,
    ACTION_SUSPEND_USER,
    MAX_REPORT_DETAIL_CHARS,
    Case,
    CaseStatus,
    Report,
    ReportKind,
    ReportReason,
)
from moderation.selectors import (
    REPORT_WINDOW,
    case_reporter_ids,
    case_target_user,
    report_target,
    reports_in_window,
    suspensions_in_force,
)
from profiles.models import User
from profiles.services.suspension import user_reinstate, user_suspend
from sounds.models import Sound
from sounds.services import sound_hide, sound_unhide
from tiktok.errors import Conflict, InvalidInput, RateLimited
from tiktok.plain_text import plain_text_clean
from videos.models import Comment, Video
from videos.services.engagement import comment_remove
from videos.services.moderation import (
    HIDDEN_BY_MODERATOR,
    HIDDEN_OWNER_SUSPENDED,
    HIDDEN_PENDING_REVIEW,
    comment_hide,
    comment_unhide,
    owner_videos_hide,
    owner_videos_unhide,
    video_hidden_reason_set,
    video_hide,
    video_unhide,
)

# What can be reported (ReportKind).
Item = Video | Comment | User | Sound


@dataclass(frozen=True)
class ReportResult:
    report: Report
    created: bool  # False: the reporter's open report of this item already existed


def report_detail_clean(detail: str) -> str:
    """Plain text of at most MAX_REPORT_DETAIL_CHARS, stripped; stored as typed (escaping is
    the renderer's job)."""
    return plain_text_clean(
        detail, field="detail", what="detail", max_chars=MAX_REPORT_DETAIL_CHARS
    )


def _snapshot(target: Item) -> str:
    if isinstance(target, Video):
        return target.caption
    if isinstance(target, Comment):
        return target.body
    if isinstance(target, Sound):
        return target.title
    return target.username


def _item_fields(kind: str, target: Item) -> dict[str, object]:
    if kind == ReportKind.VIDEO:
        return {"video": target, "target_user_id": target.owner_id}
    if kind == ReportKind.COMMENT:
        # The commented video rides along (a link in the queue, the event's video_id).
        return {"comment": target, "video_id": target.video_id, "target_user_id": target.author_id}
    if kind == ReportKind.SOUND:
        return {"sound": target, "target_user_id": target.creator_id}
    return {"user": target, "target_user": target}


def _open_case_locked(kind: str, target: Item) -> Case:
    """The item's open case, locked; created when there is none (racing reports of the same
    item meet on the one-open-case constraint and the loser takes the winner's case)."""
    lookup = {ReportKind(kind).value: target}
    for _ in range(3):
        case = Case.objects.select_for_update().filter(status=CaseStatus.OPEN, kind=kind, **lookup)
        found = case.first()
        if found is not None:
            return found
        try:
            with transaction.atomic():
                return Case.objects.create(
                    kind=kind, snapshot=_snapshot(target), **_item_fields(kind, target)
                )
        except IntegrityError:
            continue
    raise Conflict("the item's case changed while reporting; try again")


def _daily_cap_check(reporter: User, now: datetime) -> None:
    count, oldest = reports_in_window(reporter=reporter, now=now)
    cap = settings.MODERATION_REPORTS_PER_DAY
    if count >= cap:
        wait = (oldest + REPORT_WINDOW - now).total_seconds() if oldest else 3600
        raise RateLimited(
            f"at most {cap} reports a day; try again later",
            retry_after_seconds=max(1, math.ceil(wait)),
            code="report_limit",
        )


def _counted_reporters(case: Case, target: Item, now: datetime) -> int:
    """The case's reporters whose reports may hide the item: accounts older than
    MODERATION_AUTO_HIDE_MIN_ACCOUNT_AGE_HOURS (one person registering five accounts could hide
    anything), who did not report it in a case a moderator already closed (they were heard:
    their reporting again must not hide a dismissed video once more, over and over)."""
    # Only accounts (a deleted reporter's report is anonymous): a NULL in NOT IN would
    # exclude every reporter.
    heard = Report.objects.filter(
        ~Q(case__status=CaseStatus.OPEN),
        reporter__isnull=False,
        case__kind=case.kind,
        **{f"case__{case.kind}": target},
    ).values("reporter_id")
    joined_by = now - timedelta(hours=settings.MODERATION_AUTO_HIDE_MIN_ACCOUNT_AGE_HOURS)
    return (
        Report.objects.filter(case=case, reporter__date_joined__lte=joined_by)
        .exclude(reporter_id__in=heard)
        .count()
    )


def _auto_hide(case: Case, target: Item, now: datetime) -> None:
    """Hide the item pending review once enough distinct accounts reported it, counting only
    established accounts a moderator has not already heard about it (`_counted_reporters`;
    the others' reports still order the queue). Accounts are not
    suspended automatically: their case just comes first in the queue (most reporters)."""
    threshold = settings.MODERATION_AUTO_HIDE_REPORTS
    if case.auto_hidden_at is not None or case.reporter_count < threshold:
        return
    if _counted_reporters(case, target, now) < threshold:
        return
    if isinstance(target, Video):
        hidden = video_hide(video=target, reason=HIDDEN_PENDING_REVIEW)
    elif isinstance(target, Comment):
        hidden = comment_hide(comment=target)
    elif isinstance(target, Sound):
        hidden = sound_hide(sound=target)
    else:
        return
    if hidden:
        case.auto_hidden_at = now


@transaction.atomic
def report_create(
    *,
    reporter: User,
    kind: str,
    reason: str,
    detail: str = "",
    item_id: int | None = None,
    username: str | None = None,
) -> ReportResult:
    """Report a video, comment, account or sound the reporter may see (not their own). A repeat of
    the reporter's report while the item's case is open changes nothing."""
    if reason not in ReportReason.values:
        raise ValidationError({"reason": [f"{reason!r} is not one of {ReportReason.values}"]})
    detail = report_detail_clean(detail)
    target = report_target(reporter=reporter, kind=kind, item_id=item_id, username=username)
    # One report at a time per account, so the daily cap is not overrun by parallel requests.
    # A no-key lock: a full one blocked the foreign key check of the other's report, and two
    # people reporting each other at once deadlocked (one of them answered 500).
    User.objects.select_for_update(no_key=True).filter(pk=reporter.pk).first()
    case = _open_case_locked(kind, target)
    existing = Report.objects.filter(case=case, reporter=reporter).first()
    if existing is not None:
        return ReportResult(report=existing, created=False)
    now = timezone.now()
    _daily_cap_check(reporter, now)
    report = Report.objects.create(case=case, reporter=reporter, reason=reason, detail=detail)
    case.reporter_count += 1
    case.last_reported_at = now
    _auto_hide(case, target, now)
    case.save(update_fields=["reporter_count", "last_reported_at", "auto_hidden_at"])
    return ReportResult(report=report, created=True)


def _locked(case: Case) -> Case:
    return (
        Case.objects.select_for_update(of=("self",))
        .select_related("video", "comment", "user", "sound", "target_user")
        .get(pk=case.pk)
    )


def _require_open(case: Case) -> None:
    if case.status != CaseStatus.OPEN:
        raise Conflict(f"case #{case.pk} is already {case.status}", code="case_resolved")


def _resolve(case: Case, *, outcome: str, action: str, moderator: User | None) -> None:
    case.status = outcome
    case.action = action
    case.resolved_at = timezone.now()
    case.resolved_by = moderator
    case.save(update_fields=["status", "action", "resolved_at", "resolved_by"])
    payload = {
        "case_id": case.pk,
        "kind": case.kind,
        "outcome": outcome,
        "action": action,
        "reporter_ids": case_reporter_ids(case=case),
        "video_id": case.video_id,
    }
    transaction.on_commit(lambda: case_resolved_announce(**payload), robust=True)


@transaction.atomic
def case_video_hide(*, case: Case, moderator: User | None) -> Case:
    """Hide the reported video from everyone but its owner (a pending hide is confirmed)."""
    case = _locked(case)
    _require_open(case)
    if case.kind != ReportKind.VIDEO or case.video is None:
        raise InvalidInput(f"case #{case.pk} is not about a video", code="wrong_kind")
    video_hidden_reason_set(video=case.video, reason=HIDDEN_BY_MODERATOR)
    _resolve(case, outcome=CaseStatus.ACTIONED, action=ACTION_HIDE_VIDEO, moderator=moderator)
    return case


@transaction.atomic
def case_sound_hide(*, case: Case, moderator: User | None) -> Case:
    """Hide the reported sound from everyone (a pending hide is confirmed): its page, lists,
    search and "use this sound" stop offering it; videos made with it stay up."""
    case = _locked(case)
    _require_open(case)
    if case.kind != ReportKind.SOUND or case.sound is None:
        raise InvalidInput(f"case #{case.pk} is not about a sound", code="wrong_kind")
    sound_hide(sound=case.sound)
    _resolve(case, outcome=CaseStatus.ACTIONED, action=ACTION_HIDE_SOUND, moderator=moderator)
    return case


@transaction.atomic
def case_comment_remove(*, case: Case, moderator: User | None) -> Case:
    """Delete the reported comment (and its replies) through the videos service, so the video's
    comment count stays right; the case keeps the text in its snapshot."""
    case = _locked(case)
    _require_open(case)
    if case.kind != ReportKind.COMMENT or case.comment is None:
        raise InvalidInput(f"case #{case.pk} is not about a comment", code="wrong_kind")
    comment_remove(comment=case.comment)
    case.comment = None
    _resolve(case, outcome=CaseStatus.ACTIONED, action=ACTION_REMOVE_COMMENT, moderator=moderator)
    return case


@transaction.atomic
def case_user_suspend(*, case: Case, moderator: User | None) -> Case:
    """Suspend whoever the case is about (the account, the video's owner or the comment's
    author): no sign-in, token revoked, sessions ended, every video of theirs hidden."""
    case = _locked(case)
    _require_open(case)
    user = case_target_user(case=case)
    if user is None:
        raise InvalidInput(f"case #{case.pk} has no account left to suspend", code="gone")
    if user.is_staff or user.is_superuser:
        raise InvalidInput("staff accounts are not suspended from the queue", code="staff")
    # Locked as reinstating does, so a reinstatement deciding whether another case still
    # suspends the account sees this one (user_suspend writes nothing to an account already
    # suspended, so takes no lock of its own then).
    User.objects.select_for_update(no_key=True).filter(pk=user.pk).first()
    user_suspend(user=user)
    owner_videos_hide(owner_id=user.pk, reason=HIDDEN_OWNER_SUSPENDED)
    # What the reports hid pending review is hidden by the suspension from now on (a video's
    # reason becomes owner_suspended; a comment or sound of a suspended account is out anyway):
    # the case closes, so no review would ever show it again, and reinstating the account brings
    # it back with everything else of theirs.
    _undo_auto_hide(case)
    _resolve(case, outcome=CaseStatus.ACTIONED, action=ACTION_SUSPEND_USER, moderator=moderator)
    return case


def _undo_auto_hide(case: Case) -> None:
    if case.auto_hidden_at is None:
        return
    if case.kind == ReportKind.VIDEO and case.video is not None:
        video_unhide(video=case.video, only_reason=HIDDEN_PENDING_REVIEW)
    elif case.kind == ReportKind.COMMENT and case.comment is not None:
        comment_unhide(comment=case.comment)
    elif case.kind == ReportKind.SOUND and case.sound is not None:
        sound_unhide(sound=case.sound)


@transaction.atomic
def case_dismiss(*, case: Case, moderator: User | None) -> Case:
    """Nothing wrong: close the case, showing again what the reports hid pending review."""
    case = _locked(case)
    _require_open(case)
    _undo_auto_hide(case)
    _resolve(case, outcome=CaseStatus.DISMISSED, action=ACTION_DISMISS, moderator=moderator)
    return case


@transaction.atomic
def case_reinstate(*, case: Case, moderator: User | None) -> Case:
    """Undo what hid the item. An open case: what its reports hid pending review comes back and
    the case is closed as dismissed (its reporters are told). An actioned case: the moderator's
    hide of the video, or the suspension (the account and the videos hidden with it), is
    undone; the case keeps its outcome and records when it was reverted (its reporters were
    already told). An account another case suspended too stays suspended until that case is
    reinstated as well (`suspensions_in_force`). A removed comment cannot come back; a
    dismissed case hid nothing."""
    case = _locked(case)
    if case.status == CaseStatus.OPEN:
        _undo_auto_hide(case)
        _resolve(case, outcome=CaseStatus.DISMISSED, action=ACTION_REINSTATE, moderator=moderator)
        return case
    if case.status == CaseStatus.DISMISSED or case.reinstated_at is not None:
        raise InvalidInput(f"case #{case.pk} has nothing to undo", code="nothing_to_undo")
    if case.action == ACTION_REMOVE_COMMENT:
        raise InvalidInput("a removed comment cannot be restored", code="not_reversible")
    if case.action == ACTION_SUSPEND_USER:
        user = case_target_user(case=case)
        if user is not None:
            # The account's row, locked, serialises the decisions about it (case_user_suspend
            # locks it too): two reinstatements at once would each see the other's suspension
            # still in force and keep the account out.
            User.objects.select_for_update(no_key=True).filter(pk=user.pk).first()
            # Another decision suspended the account too: it stays suspended until that one is
            # lifted as well (lifting one decision never undoes another).
            if not suspensions_in_force(user=user, besides=case):
                user_reinstate(user=user)
                owner_videos_unhide(owner_id=user.pk, reason=HIDDEN_OWNER_SUSPENDED)
    elif case.action == ACTION_HIDE_VIDEO and case.video is not None:
        # Hidden since for another reason (its owner suspended): it stays hidden.
        video_unhide(video=case.video, only_reason=HIDDEN_BY_MODERATOR)
    elif case.action == ACTION_HIDE_SOUND and case.sound is not None:
        sound_unhide(sound=case.sound)
    case.reinstated_at = timezone.now()
    case.save(update_fields=["reinstated_at"])
    return case
