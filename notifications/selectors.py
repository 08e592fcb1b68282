"""Notification reads: a recipient's list (newest activity first) as the API and the page show
it, and the unread count for the badge."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

from django.contrib.postgres.expressions import ArraySubquery
from django.db import connection
from django.db.models import Exists, Func, IntegerField, OuterRef, Q, QuerySet

from notifications.models import (
    Notification,
    NotificationActor,
    NotificationKind,
    NotificationPreference,
)
from profiles.models import Block, User
from profiles.selectors import hidden_user_ids, user_card
from tiktok.db.sql import table
from tiktok.plain_text import bidi_controls_strip
from videos.visibility import visible_videos

ACTORS_SHOWN = 2
COMMENT_EXCERPT_CHARS = 80


def notifications_for(*, user: User) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=user).select_related("actor", "video", "comment")


def _unread_shown() -> QuerySet[Notification]:
    """Unread notifications the list would show: not those led by someone blocked since,
    either way, or suspended, unless their group still has someone else to show (the list
    leaves them out too: the badge would otherwise never clear)."""
    across_block = Block.objects.filter(
        Q(blocker=OuterRef("recipient"), blocked=OuterRef("actor"))
        | Q(blocker=OuterRef("actor"), blocked=OuterRef("recipient"))
    )
    member_across_block = Block.objects.filter(
        Q(blocker=OuterRef(OuterRef("recipient")), blocked=OuterRef("actor"))
        | Q(blocker=OuterRef("actor"), blocked=OuterRef(OuterRef("recipient")))
    )
    someone_else_shown = (
        NotificationActor.objects.filter(notification=OuterRef("pk"), actor__is_active=True)
        .exclude(actor=OuterRef("actor"))
        .exclude(Exists(member_across_block))
    )
    return Notification.objects.filter(read_at__isnull=True).exclude(
        (Q(Exists(across_block)) | Q(actor__is_active=False)) & ~Q(Exists(someone_else_shown))
    )


# The badge shows "99+" past 99, so no count goes past this: unread notifications are kept for a
# year, and counting a neglected inbox's 100,000 (a second, on every page load and every push)
# told nobody anything "99+" does not.
UNREAD_COUNT_CAP = 100


def unread_count(*, user_id: int) -> int:
    """Unread notifications the list would show, counted up to UNREAD_COUNT_CAP."""
    return _unread_shown().filter(recipient_id=user_id).values("pk")[:UNREAD_COUNT_CAP].count()


def unread_counts(*, user_ids: list[int]) -> dict[int, int]:
    """Unread counts of many users in one query (users with none get 0), each up to
    UNREAD_COUNT_CAP: a fan-out batch of 1,000 followers read every backlog whole."""
    capped = _unread_shown().filter(recipient_id=OuterRef("pk")).values("pk")[:UNREAD_COUNT_CAP]
    counts = dict(
        User.objects.filter(pk__in=user_ids)
        .annotate(
            n=Func(ArraySubquery(capped), function="cardinality", output_field=IntegerField())
        )
        .values_list("pk", "n")
    )
    return {user_id: counts.get(user_id) or 0 for user_id in user_ids}


def muted_kinds(*, user_id: int) -> set[str]:
    pref = NotificationPreference.objects.filter(user_id=user_id).first()
    return set(pref.muted_kinds) if pref else set()


def notification_preferences(*, user: User) -> dict[str, Any]:
    muted = muted_kinds(user_id=user.pk)
    return {
        "kinds": [
            {"kind": kind, "label": str(label), "enabled": kind not in muted}
            for kind, label in NotificationKind.choices
        ]
    }


def _people(names: list[str], count: int) -> str:
    # A name set in our sentence loses its direction controls (one named before they were
    # refused, or an admin's edit): an override in it read the rest of the sentence backwards.
    names = [bidi_controls_strip(name) for name in names]
    if not names:
        return "Someone"
    if count <= 1:
        return names[0]
    if count == 2 and len(names) == 2:
        return f"{names[0]} and {names[1]}"
    others = count - 1
    return f"{names[0]} and {others} other{'s' if others != 1 else ''}"


def _excerpt(text: str) -> str:
    text = " ".join(bidi_controls_strip(text or "").split())
    if len(text) <= COMMENT_EXCERPT_CHARS:
        return text
    return text[: COMMENT_EXCERPT_CHARS - 1] + "…"


_VERBS = {
    NotificationKind.FOLLOW: "started following you",
    NotificationKind.FOLLOW_REQUEST: "asked to follow you",
    NotificationKind.FOLLOW_APPROVED: "approved your follow request",
    NotificationKind.LIKE: "liked your video",
    NotificationKind.COMMENT: "commented on your video",
    NotificationKind.REPLY: "replied to your comment",
    NotificationKind.NEW_VIDEO: "posted a new video",
    NotificationKind.SHARE: "shared a video with you",
}


def notification_text(notification: Notification, names: list[str]) -> str:
    """The sentence shown for a notification ("ana and 12 others liked your video")."""
    kind = notification.kind
    who = _people(names, notification.actor_count)
    if kind in _VERBS:
        return f"{who} {_VERBS[kind]}"
    if kind == NotificationKind.MENTION:
        where = "a comment" if notification.data.get("in") == "comment" else "a video"
        return f"{who} mentioned you in {where}"
    if kind == NotificationKind.VIDEO_READY:
        return "Your video is published"
    if kind == NotificationKind.VIDEO_FAILED:
        reason = notification.data.get("reason") or "processing failed"
        return f"Your video could not be processed: {reason}"
    if kind == NotificationKind.DATA_EXPORT_READY:
        return "Your data archive is ready to download"
    if kind == NotificationKind.REPORT_OUTCOME:
        what = notification.data.get("item", "item")
        if notification.data.get("outcome") == "actioned":
            return f"Thanks for your report: we took action on the {what} you reported"
        return f"We reviewed the {what} you reported and found no violation"
    return who


def _url(notification: Notification, visible: set[int], leader: User | None) -> str | None:
    if notification.video_id and notification.video_id in visible:
        if notification.comment_id:
            return f"/v/{notification.video_id}?comment={notification.comment_id}"
        return f"/v/{notification.video_id}"
    if notification.kind == NotificationKind.FOLLOW_REQUEST:
        return "/notifications#requests"
    if notification.kind == NotificationKind.DATA_EXPORT_READY:
        return "/settings#data"
    if leader is not None:  # the latest person shown (not one the viewer no longer sees)
        return f"/@{leader.username}"
    return None


def _comment_shown(notification: Notification, viewer: User, visible: set[int]) -> bool:
    """A comment's words are shown only with its video, and not while moderation hides it
    (except to its author)."""
    comment = notification.comment
    if comment is None or notification.video_id not in visible:
        return False
    return comment.hidden_at is None or comment.author_id == viewer.pk


def group_people_latest(
    *,
    notification_ids: Sequence[int],
    hidden: Collection[int] = (),
    per_group: int,
    active_only: bool = True,
) -> dict[int, list[int]]:
    """The ids of the latest `per_group` people of each of these groups, latest first, leaving
    out `hidden` people (and accounts not active, unless `active_only` is off). Each group is
    read from its newest end of the (notification, created_at, id) index and stops at
    `per_group`: a viral video's group of thousands costs as much as a group of two (numbering
    a whole group to keep two of it read all of it, again for every like's live push)."""
    if not notification_ids:
        return {}
    actors, users = table(NotificationActor), table(User)
    active = "AND u.is_active" if active_only else ""
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT n.id, p.actor_id
            FROM unnest(%s::bigint[]) AS n(id)
            CROSS JOIN LATERAL (
                SELECT a.actor_id, a.created_at, a.id
                FROM {actors} a JOIN {users} u ON u.id = a.actor_id {active}
                WHERE a.notification_id = n.id AND NOT (a.actor_id = ANY(%s::bigint[]))
                ORDER BY a.created_at DESC, a.id DESC
                LIMIT %s
            ) p
            ORDER BY n.id, p.created_at DESC, p.id DESC
            """,
            [list(notification_ids), list(hidden), per_group],
        )
        people: dict[int, list[int]] = {}
        for notification_id, actor_id in cursor.fetchall():
            people.setdefault(notification_id, []).append(actor_id)
    return people


def notification_payloads(
    *, notifications: Sequence[Notification], viewer: User
) -> list[dict[str, Any]]:
    """The API shape of a page of notifications: text, up to two people, the video's
    thumbnail (when the viewer may still see it), a link, read state. People the viewer no
    longer sees (a block since, a suspension) are not named: a group is shown by its others,
    and left out when it has none (one liker blocking the owner does not hide the rest)."""
    ids = [n.pk for n in notifications]
    # People blocked either way since, and suspended accounts, are not shown; a notification
    # led by one (a fan-out's creator has no NotificationActor row) is left out, as the unread
    # count leaves it out.
    hidden = hidden_user_ids(viewer=viewer) | set(
        User.objects.filter(
            is_active=False, pk__in=[n.actor_id for n in notifications if n.actor_id is not None]
        ).values_list("pk", flat=True)
    )
    # Only the ACTORS_SHOWN latest people still shown leave the database: a viral video's
    # group has thousands, and every delivered like reads its group again for the live push.
    latest = group_people_latest(notification_ids=ids, hidden=hidden, per_group=ACTORS_SHOWN)
    shown = User.objects.in_bulk({pk for group in latest.values() for pk in group})
    people = {pk: [shown[actor] for actor in group] for pk, group in latest.items()}
    video_ids = {n.video_id for n in notifications if n.video_id}
    visible = set(
        visible_videos(viewer=viewer, include_own_unready=True)
        .filter(pk__in=video_ids)
        .values_list("pk", flat=True)
    )
    payloads = []
    for notification in notifications:
        actors = people.get(notification.pk, [])
        if notification.actor_id is not None and notification.actor_id in hidden and not actors:
            continue
        if not actors and notification.actor is not None:
            actors = [notification.actor]  # a fan-out row names its one actor only
        video = notification.video if notification.video_id in visible else None
        payloads.append(
            {
                "id": notification.pk,
                "kind": notification.kind,
                "text": notification_text(
                    notification, [a.display_name or a.username for a in actors]
                ),
                "actors": [user_card(actor) for actor in actors],
                "actor_count": notification.actor_count,
                "video": (
                    {
                        "id": video.pk,
                        "thumbnail_url": video.thumbnail.url if video.thumbnail else None,
                    }
                    if video is not None
                    else None
                ),
                "comment": (
                    {"id": notification.comment_id, "excerpt": _excerpt(notification.comment.body)}
                    if _comment_shown(notification, viewer, visible)
                    else None
                ),
                "url": _url(notification, visible, actors[0] if actors else None),
                "read": notification.read_at is not None,
                "created_at": notification.created_at.isoformat(),
                "updated_at": notification.updated_at.isoformat(),
            }
        )
    return payloads
