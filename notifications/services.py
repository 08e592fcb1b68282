"""Notification writes: add news to a recipient's (grouped) notifications, fan a new video out
to followers, mark read, set preferences. Every add checks, at delivery time, that the news is
still true and wanted: not from yourself, not across a block, not from a suspended account, not
a kind the recipient muted, and not an actor already counted under the same key."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef
from django.utils import timezone

from notifications.models import (
    Notification,
    NotificationActor,
    NotificationKind,
    NotificationPreference,
)
from notifications.push import unread_push, unread_push_many
from notifications.selectors import muted_kinds
from profiles.models import Follow, User
from profiles.selectors import blocked_either_way
from tiktok.db.batched import rows_delete_by_id_batches
from tiktok.errors import InvalidInput

FANOUT_CHUNK = 500


@dataclass(frozen=True)
class Notice:
    """One piece of news for one recipient."""

    recipient_id: int
    kind: str
    group_key: str
    actor_id: int | None = None
    video_id: int | None = None
    comment_id: int | None = None
    data: dict[str, Any] = field(default_factory=dict)
    # True: an actor is counted once ever under this key (like, unlike, like again notifies
    # once; a system notice is sent once). False: each piece of news joins the open group or
    # starts a new one (comments, follow requests asked again after a denial).
    once: bool = True


def _wanted(notice: Notice) -> bool:
    recipient = User.objects.filter(pk=notice.recipient_id, is_active=True).first()
    if recipient is None or notice.kind in muted_kinds(user_id=recipient.pk):
        return False
    if notice.actor_id is None:
        return True
    if notice.actor_id == recipient.pk:
        return False
    actor = User.objects.filter(pk=notice.actor_id, is_active=True).first()
    return actor is not None and not blocked_either_way(actor, recipient)


def _already_told(notice: Notice) -> bool:
    if not notice.once:
        return False
    if notice.actor_id is None:
        return Notification.objects.filter(
            recipient_id=notice.recipient_id, group_key=notice.group_key
        ).exists()
    return NotificationActor.objects.filter(
        notification__recipient_id=notice.recipient_id,
        notification__group_key=notice.group_key,
        actor_id=notice.actor_id,
    ).exists()


class _AlreadyTold(Exception):
    """A `once` notice found its actor (or, without one, its group) already there: a concurrent
    delivery of the same news told the recipient first."""


def _join_open_group(notice: Notice) -> Notification | None:
    """Add the actor to the recipient's unread group of this key, if there is one."""
    group = (
        Notification.objects.select_for_update()
        .filter(recipient_id=notice.recipient_id, group_key=notice.group_key, read_at__isnull=True)
        .first()
    )
    if group is None:
        return None
    if notice.once and notice.actor_id is None:
        raise _AlreadyTold
    if notice.actor_id is not None:
        _, added = NotificationActor.objects.get_or_create(
            notification=group, actor_id=notice.actor_id
        )
        if added:
            group.actor_count = F("actor_count") + 1
        elif notice.once:
            raise _AlreadyTold
        group.actor_id = notice.actor_id
    group.data = {**group.data, **notice.data}
    if notice.comment_id is not None:
        group.comment_id = notice.comment_id
    group.save()  # bumps updated_at: the group moves to the top
    group.refresh_from_db()
    return group


def notification_add(notice: Notice) -> Notification | None:
    """Record the news (joining an unread group of the same key) and push the new unread count
    to the recipient's open pages after commit. None when nothing is to be told."""
    if not _wanted(notice) or _already_told(notice):
        return None
    for _attempt in range(2):
        try:
            with transaction.atomic():
                group = _join_open_group(notice)
                if group is None:
                    group = Notification.objects.create(
                        recipient_id=notice.recipient_id,
                        kind=notice.kind,
                        group_key=notice.group_key,
                        actor_id=notice.actor_id,
                        actor_count=1 if notice.actor_id is not None else 0,
                        video_id=notice.video_id,
                        comment_id=notice.comment_id,
                        data=notice.data,
                    )
                    if notice.actor_id is not None:
                        NotificationActor.objects.create(
                            notification=group, actor_id=notice.actor_id
                        )
            break
        except IntegrityError:
            # A concurrent delivery opened the group first: join it on the second pass.
            continue
        except _AlreadyTold:
            # Told by a delivery that raced this one past `_already_told` (a redelivered task,
            # the same mention delivered twice): not news again, and no budget is spent on it.
            return None
    else:
        return None
    transaction.on_commit(lambda: unread_push(user_id=notice.recipient_id, notification=group))
    return group


def new_video_key(video_id: int) -> str:
    """The group key of a video's new-video notifications (one per follower)."""
    return f"new_video:video:{video_id}"


def new_video_fanout(*, video_id: int, owner_id: int, privacy: str) -> int:
    """Tell the owner's followers about a newly published video (once per video), in chunks;
    private videos and followers who muted new videos are skipped. Returns how many were told.
    Each chunk's open pages get their new unread counts after it commits."""
    if privacy == "private":
        return 0
    key = new_video_key(video_id)
    muted = NotificationPreference.objects.filter(
        user_id=OuterRef("follower_id"), muted_kinds__contains=[NotificationKind.NEW_VIDEO]
    )
    follower_ids = (
        Follow.objects.filter(followee_id=owner_id, follower__is_active=True)
        .exclude(Exists(muted))
        .values_list("follower_id", flat=True)
        .order_by("follower_id")
    )
    told = 0
    for chunk in _chunks(follower_ids.iterator(chunk_size=FANOUT_CHUNK), FANOUT_CHUNK):
        already = set(
            Notification.objects.filter(recipient_id__in=chunk, group_key=key).values_list(
                "recipient_id", flat=True
            )
        )
        rows = [
            Notification(
                recipient_id=user_id,
                kind=NotificationKind.NEW_VIDEO,
                group_key=key,
                actor_id=owner_id,
                actor_count=1,
                video_id=video_id,
            )
            for user_id in chunk
            if user_id not in already
        ]
        Notification.objects.bulk_create(rows, ignore_conflicts=True)
        told += len(rows)
        recipients = [row.recipient_id for row in rows]
        transaction.on_commit(lambda recipients=recipients: unread_push_many(user_ids=recipients))
    return told


def _chunks(values: Iterable[int], size: int) -> Iterable[list[int]]:
    chunk: list[int] = []
    for value in values:
        chunk.append(value)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def notification_groups_account_closing(*, user_id: int) -> int:
    """A deleted account leaves the groups it was counted in (its NotificationActor rows go by
    CASCADE, which lowers no count): "ana and 1 other" must not count someone gone. Returns
    how many groups it left. The groups keep their place (updated_at is not touched)."""
    return Notification.objects.filter(
        pk__in=NotificationActor.objects.filter(actor_id=user_id).values("notification_id"),
        actor_count__gt=0,
    ).update(actor_count=F("actor_count") - 1)


def notifications_mark_read(*, user: User, ids: list[int] | None = None) -> int:
    """Mark some (ids) or all of the user's notifications read; returns how many changed."""
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=ids)
    changed = unread.update(read_at=timezone.now())
    if changed:  # nothing changed, nothing to tell the open pages
        transaction.on_commit(lambda: unread_push(user_id=user.pk, notification=None))
    return changed


def notification_preferences_set(*, user: User, enabled: dict[str, bool]) -> set[str]:
    """Turn kinds on or off; returns the muted kinds. Unknown kinds are refused."""
    unknown = sorted(set(enabled) - set(NotificationKind.values))
    if unknown:
        raise InvalidInput(f"unknown notification kinds: {', '.join(unknown)}", code="unknown_kind")
    with transaction.atomic():
        pref, _ = NotificationPreference.objects.select_for_update().get_or_create(user=user)
        muted = set(pref.muted_kinds)
        for kind, on in enabled.items():
            if on:
                muted.discard(kind)
            else:
                muted.add(kind)
        pref.muted_kinds = sorted(muted)
        pref.save(update_fields=["muted_kinds"])
    return muted


PRUNE_BATCH_IDS = 5000


def notifications_prune(*, now: datetime | None = None) -> int:
    """Delete read notifications older than NOTIFICATIONS_KEEP_READ_DAYS and unread ones older
    than NOTIFICATIONS_KEEP_UNREAD_DAYS (a follower who never opens the inbox gathered one per
    video of everyone they follow, for ever), with their people, a batch of ids at a time, each
    batch committed (a backlog of millions was loaded whole and deleted in one transaction)."""
    now = now or timezone.now()
    return rows_delete_by_id_batches(
        model=Notification,
        condition="(t.read_at IS NOT NULL AND t.updated_at < %s) "
        "OR (t.read_at IS NULL AND t.updated_at < %s)",
        params=[
            now - timedelta(days=settings.NOTIFICATIONS_KEEP_READ_DAYS),
            now - timedelta(days=settings.NOTIFICATIONS_KEEP_UNREAD_DAYS),
        ],
        batch_size=PRUNE_BATCH_IDS,
        dependents=[(NotificationActor, "notification_id")],
    )
