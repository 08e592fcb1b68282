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
"""

from __future__ import annotations

import logging
from typing import Any

from django.dispatch import Signal

logger = logging.getLogger(__name__)

video_published = Signal()
engagement_recorded = Signal()
video_failed = Signal()
comment_posted = Signal()
shared_to_user = Signal()


def _send(signal: Signal, name: str, **kwargs: Any) -> None:
    for receiver, result in signal.send_robust(sender=None, **kwargs):
        if isinstance(result, Exception):
            logger.error(
                "%s receiver %s failed: %s",
                name,
                getattr(receiver, "__qualname__", receiver),
                result,
                exc_info=result,
            )


def video_published_announce(*, video_id: int) -> None:
    _send(video_published, "video_published", video_id=video_id)


def engagement_announce(*, user: Any, session_id: str, video: Any, type: str) -> None:  # noqa: A002
    _send(
        engagement_recorded,
        "engagement_recorded",
        user=user,
        session_id=session_id,
        video=video,
        type=type,
    )


def video_failed_announce(*, video_id: int) -> None:
    _send(video_failed, "video_failed", video_id=video_id)


def comment_posted_announce(*, comment: Any, replied_to: Any) -> None:
    _send(comment_posted, "comment_posted", comment=comment, replied_to=replied_to)


def shared_to_user_announce(*, share: Any) -> None:
    _send(shared_to_user, "shared_to_user", share=share)
