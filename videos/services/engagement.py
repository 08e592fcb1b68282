"""Engagement writes: likes, saves, shares and comments, with race-free counters."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction

from profiles.models import User
from profiles.selectors import blocked_either_way, user_by_username
from profiles.viewers import is_signed_in
from tiktok.errors import AuthenticationFailed, Forbidden, InvalidInput, NotFound
from tiktok.plain_text import plain_text_clean
from videos.events import comment_posted_announce, engagement_announce, shared_to_user_announce
from videos.models import Comment, Like, Save, Share, Video
from videos.models.engagement import MAX_COMMENT_CHARS
from videos.selectors.engagement import comment_can_delete
from videos.services.counters import counter_add, counter_value
from videos.visibility import video_visible_to

MAX_SHARE_CHANNEL_CHARS = 32


@dataclass(frozen=True)
class ToggleResult:
    """The viewer's state after a like/save toggle and the video's counter."""

    active: bool
    count: int
    changed: bool


def _emit(*, user, session_id: str, video: Video, type: str, client: str | None) -> None:  # noqa: ANN001, A002
    """Announce the engagement (the feed learns from it); the user's action stands even if a
    receiver fails (it is logged). client: who sent the request (`client_identity`), whose
    budget of new session tastes a session named for the first time counts against."""
    engagement_announce(
        user=user if is_signed_in(user) else None,
        session_id=session_id,
        video=video,
        type=type,
        client=client,
    )


def _toggle_on(*, model, user, video: Video, field: str) -> ToggleResult:  # noqa: ANN001
    # The row and its counter change in one transaction; the feed event is emitted after it
    # commits (by the caller), so the public functions are not @transaction.atomic themselves.
    with transaction.atomic():
        # get_or_create retries the read on IntegrityError, so two racing likes by the same
        # user create one row and only the winner bumps the counter.
        _, created = model.objects.get_or_create(user=user, video=video)
        if created:
            count = counter_add(row=video, field=field, delta=1)
        else:
            count = counter_value(row=video, field=field)
    return ToggleResult(active=True, count=count, changed=created)


def _toggle_off(*, model, user, video: Video, field: str) -> ToggleResult:  # noqa: ANN001
    with transaction.atomic():
        deleted, _ = model.objects.filter(user=user, video=video).delete()
        if deleted:
            count = counter_add(row=video, field=field, delta=-1)
        else:
            count = counter_value(row=video, field=field)
    return ToggleResult(active=False, count=count, changed=bool(deleted))


def like_create(
    *, user, video: Video, session_id: str = "", client: str | None = None
) -> ToggleResult:  # noqa: ANN001
    """Like a video; liking twice is a no-op (one row, one count, one event)."""
    result = _toggle_on(model=Like, user=user, video=video, field="like_count")
    if result.changed:
        _emit(user=user, session_id=session_id, video=video, type="like", client=client)
    return result


def like_delete(
    *, user, video: Video, session_id: str = "", client: str | None = None
) -> ToggleResult:  # noqa: ANN001
    """Remove a like; unliking a video that is not liked is a no-op."""
    result = _toggle_off(model=Like, user=user, video=video, field="like_count")
    if result.changed:
        _emit(user=user, session_id=session_id, video=video, type="unlike", client=client)
    return result


def save_create(
    *, user, video: Video, session_id: str = "", client: str | None = None
) -> ToggleResult:  # noqa: ANN001
    """Save (bookmark) a video; saving twice is a no-op."""
    result = _toggle_on(model=Save, user=user, video=video, field="save_count")
    if result.changed:
        _emit(user=user, session_id=session_id, video=video, type="save", client=client)
    return result


def save_delete(
    *, user, video: Video, session_id: str = "", client: str | None = None
) -> ToggleResult:  # noqa: ANN001
    """Remove a save; unsaving a video that is not saved is a no-op."""
    result = _toggle_off(model=Save, user=user, video=video, field="save_count")
    if result.changed:
        _emit(user=user, session_id=session_id, video=video, type="unsave", client=client)
    return result


def _share_store(*, sharer: User | None, video: Video, **fields: object) -> tuple[Share, int]:
    """Store a share row (every share is kept: a recipient is notified of each) and return it
    with the share count, which counts each signed-in sharer once per video, however many
    times they share it. Anonymous visitors' shares are stored but never counted: anyone can
    send them, and the count ranks videos."""
    with transaction.atomic():
        if sharer is None:
            share = Share.objects.create(user=None, video=video, **fields)
            return share, counter_value(row=video, field="share_count")
        # The video's row lock (the one the counter's update takes, which blocks no insert
        # that references the video) serialises one sharer's concurrent first shares.
        Video.objects.select_for_update(no_key=True).filter(pk=video.pk).values_list("pk").first()
        first = not Share.objects.filter(user=sharer, video=video).exists()
        share = Share.objects.create(user=sharer, video=video, **fields)
        if first:
            return share, counter_add(row=video, field="share_count", delta=1)
        return share, counter_value(row=video, field="share_count")


def share_create(  # noqa: ANN001
    *, user, video: Video, channel: str = "", session_id: str = "", client: str | None = None
) -> int:
    """Record a share and return the share count (`_share_store`: a sharer counts once per
    video). Every share is announced (the creator's analytics count shares; the feed's stats
    and a challenge's votes count each sharer once themselves)."""
    channel = (channel or "").strip()
    if len(channel) > MAX_SHARE_CHANNEL_CHARS:
        raise ValidationError(
            {"channel": [f"channel is longer than {MAX_SHARE_CHANNEL_CHARS} characters"]}
        )
    sharer = user if is_signed_in(user) else None
    _, count = _share_store(sharer=sharer, video=video, channel=channel)
    _emit(user=sharer, session_id=session_id, video=video, type="share", client=client)
    return count


SHARE_TO_USER_CHANNEL = "user"


def share_recipient_for(*, sharer: User, username: str) -> User:
    """Whom an in-app share goes to: an active user who is not the sharer, NotFound (as if there
    were no such account) when either has blocked the other."""
    recipient = user_by_username(username=(username or "").strip())
    if recipient.pk == sharer.pk:
        raise InvalidInput(
            "you cannot send a video to yourself",
            code="cannot_share_to_self",
            fields={"to": ["you cannot send a video to yourself"]},
        )
    if blocked_either_way(recipient, sharer):
        raise NotFound("no such user")
    return recipient


def _only_a_third_party_block_stops(*, video: Video, recipient: User) -> bool:
    """Whether the recipient would see the video but for a block between them and its creator
    (a block ends follows both ways, so a blocked recipient would see what anyone may see)."""
    return blocked_either_way(video.owner, recipient) and video_visible_to(video=video, viewer=None)


def share_to_user_create(  # noqa: ANN001
    *, user, video: Video, to: str, session_id: str = "", client: str | None = None
) -> Share:
    """Send a video to another user in the app: a share with a recipient (counted as
    `_share_store` counts), announced (`shared_to_user`, the recipient is notified) once
    committed. A recipient who may not see the video for a reason the sharer may know (a
    private, followers-only or unready video) gets nothing and nothing is stored (400
    `recipient_cannot_see`). One whom only a block between them and the creator keeps from it
    is answered as a delivered share (stored and counted, never announced): a block between
    two other people is not the sharer's to learn, and the recipient could not open it."""
    if not is_signed_in(user):
        raise AuthenticationFailed("sign in to send a video to someone")
    recipient = share_recipient_for(sharer=user, username=to)
    deliver = video_visible_to(video=video, viewer=recipient)
    if not deliver and not _only_a_third_party_block_stops(video=video, recipient=recipient):
        raise InvalidInput(
            f"@{recipient.username} cannot see this video",
            code="recipient_cannot_see",
            fields={"to": [f"@{recipient.username} cannot see this video"]},
        )
    with transaction.atomic():
        share, _ = _share_store(
            sharer=user, video=video, channel=SHARE_TO_USER_CHANNEL, recipient=recipient
        )
        if deliver:
            transaction.on_commit(lambda: shared_to_user_announce(share=share), robust=True)
    _emit(user=user, session_id=session_id, video=video, type="share", client=client)
    return share


def comment_body_clean(body: str) -> str:
    """Strip the body and enforce the length limit; the text is stored as typed (plain text)."""
    return plain_text_clean(
        body, field="body", what="comment", max_chars=MAX_COMMENT_CHARS, required=True
    )


@transaction.atomic
def comment_create(*, author, video: Video, body: str, parent_id: int | None = None) -> Comment:  # noqa: ANN001
    """Post a comment or a reply.

    Replies are one level deep: replying to a reply attaches the new comment to that reply's
    top-level parent (the thread stays flat, as on TikTok). A comment the author may not see
    (blocked either way, suspended, hidden by moderation) cannot be replied to: the same error as
    a missing one, so the reply tells nothing the lists do not.
    """
    body = comment_body_clean(body)
    parent = replied_to = None
    if parent_id is not None:
        gone = ValidationError({"parent_id": ["no such comment on this video"]})
        answered = Comment.objects.filter(pk=parent_id, video=video).first()
        if answered is None:
            raise gone
        # Locking the top-level comment serialises with its deletion, so a reply never outlives
        # its parent uncounted. It is locked before the reply answered, in the order deleting the
        # thread takes them (the comment, then its replies by the cascade): the other way round,
        # a reply to a reply and the thread's deletion waited on each other (a deadlock, a 500).
        parent = (
            Comment.objects.select_for_update().filter(pk=answered.parent_id or answered.pk).first()
        )
        replied_to = parent
        if parent is not None and answered.parent_id is not None:
            # Read again under the parent's lock: the reply may have gone in the meantime.
            replied_to = Comment.objects.select_for_update().filter(pk=answered.pk).first()
        if parent is None or replied_to is None:
            raise gone
        for other in {replied_to.author, parent.author}:
            if other.pk == author.pk:
                continue
            if not other.is_active or blocked_either_way(other, author):
                # A suspended author's comments are out of every list, and this comment's author
                # and this one do not see each other: as if it were gone.
                raise gone
        if any(c.hidden_at is not None and c.author_id != author.pk for c in (replied_to, parent)):
            # Hidden by moderation: gone for everyone but its author.
            raise gone
    comment = Comment.objects.create(video=video, author=author, parent=parent, body=body)
    counter_add(row=video, field="comment_count", delta=1)
    transaction.on_commit(
        lambda: comment_posted_announce(comment=comment, replied_to=replied_to), robust=True
    )
    return comment


@transaction.atomic
def comment_delete(*, comment: Comment, actor) -> int:  # noqa: ANN001
    """Delete a comment and its replies; returns how many comments were removed."""
    if not comment_can_delete(comment=comment, actor=actor):
        raise Forbidden(
            "only the author or the video's owner may delete this comment",
            code="permission_denied",
        )
    return comment_remove(comment=comment)


@transaction.atomic
def comment_remove(*, comment: Comment) -> int:
    """Delete a comment and its replies whoever asks (moderation's removal; people go through
    comment_delete), keeping the video's comment count right; returns how many were removed."""
    locked = Comment.objects.select_for_update().filter(pk=comment.pk).first()
    if locked is None:  # deleted by a concurrent request: nothing left to count
        return 0
    # Replies go with it (on_delete=CASCADE). What the DELETE removed is counted, not what a
    # count() saw before it: a reply deleted at the same time by a transaction not yet committed
    # is still counted then, and its own deletion subtracts it too.
    _, per_model = locked.delete()
    removed = per_model.get(Comment._meta.label, 0)
    counter_add(row=comment.video, field="comment_count", delta=-removed)
    return removed
