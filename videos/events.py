"""Events the videos app sends so that apps above it can react without videos importing them.

Receivers are connected in the receiving app's AppConfig.ready(); a failing receiver is logged
and never undoes or fails what the videos app did (`send_robust`).

- `video_published`, kwargs `video_id`: a video just became ready (first publish or after a
  reprocess). The feed puts it into its fresh and cold-start lists within seconds.
- `engagement_recorded`, kwargs `user` (None when anonymous), `session_id`, `video`, `type`
  ("like", "unlike", "save", "unsave", "share"): an engagement row was stored. The feed learns
  from it as from any interaction event.
- `video_failed`, kwargs `video_id`: processing gave up on a video (its owner is told).
- `comment_posted`, kwargs `comment`, `replied_to` (the comment answered, or None; for a reply
  to a reply this is that reply, while `comment.parent` is the top-level comment): sent after
  the comment is committed.
- `shared_to_user`, kwargs `share` (a Share with a `recipient`): an in-app share to another
  user, sent after it is committed.
- `caption_edited`, kwargs `video_id`: the owner (or staff, in the admin) changed a video's
  caption, sent after it is committed (search rebuilds the video's document).
- `embedding_version_served`, kwargs `version`, `previous`: the product reads another embedding
  version now (a re-embed covered the catalogue). The feed rebuilds its long-term tastes in it.
"""

from __future__ import annotations

from typing import Any

from django.dispatch import Signal

from tiktok.signals import signal_send_robust

video_published = Signal()
engagement_recorded = Signal()
video_failed = Signal()
comment_posted = Signal()
shared_to_user = Signal()
caption_edited = Signal()
embedding_version_served = Signal()


def video_published_announce(*, video_id: int) -> None:
    signal_send_robust(video_published, "video_published", video_id=video_id)


def engagement_announce(
    *,
    user: Any,
    session_id: str,
    video: Any,
    type: str,  # noqa: A002
    client: str | None = None,
) -> None:
    signal_send_robust(
        engagement_recorded,
        "engagement_recorded",
        user=user,
        session_id=session_id,
        video=video,
        type=type,
        client=client,
    )


def video_failed_announce(*, video_id: int) -> None:
    signal_send_robust(video_failed, "video_failed", video_id=video_id)


def comment_posted_announce(*, comment: Any, replied_to: Any) -> None:
    signal_send_robust(comment_posted, "comment_posted", comment=comment, replied_to=replied_to)


def shared_to_user_announce(*, share: Any) -> None:
    signal_send_robust(shared_to_user, "shared_to_user", share=share)


def caption_edited_announce(*, video_id: int) -> None:
    signal_send_robust(caption_edited, "caption_edited", video_id=video_id)


def embedding_version_served_announce(*, version: str, previous: str) -> None:
    signal_send_robust(
        embedding_version_served, "embedding_version_served", version=version, previous=previous
    )
