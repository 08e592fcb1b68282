"""How notifications react to what the apps below announce (connected in
NotificationsConfig.ready()): each event becomes a delivery task, sent after commit."""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction

from notifications.services import notification_groups_account_closing
from notifications.tasks import notification_deliver

logger = logging.getLogger(__name__)


def _deliver_later(event: str, payload: dict[str, Any]) -> None:
    def send() -> None:
        try:
            notification_deliver.delay(event, payload)
        except Exception:  # noqa: BLE001 - a broker outage never fails the user's action
            logger.warning("could not queue %s notification", event, exc_info=True)

    transaction.on_commit(send)


def on_account_deleting(sender: Any, instance: Any, **kwargs: Any) -> None:
    """A model signal, as a CASCADE runs no service: the account leaves its groups' counts."""
    notification_groups_account_closing(user_id=instance.pk)


def on_engagement_recorded(sender: Any, *, user: Any, video: Any, type: str, **kwargs: Any) -> None:  # noqa: A002
    if type == "like" and user is not None:
        _deliver_later("like", {"user_id": user.pk, "video_id": video.pk})


def on_comment_posted(sender: Any, *, comment: Any, replied_to: Any, **kwargs: Any) -> None:
    _deliver_later(
        "comment",
        {"comment_id": comment.pk, "replied_to_id": replied_to.pk if replied_to else None},
    )


def on_video_published(sender: Any, *, video_id: int, **kwargs: Any) -> None:
    _deliver_later("video_published", {"video_id": video_id})


def on_video_failed(sender: Any, *, video_id: int, **kwargs: Any) -> None:
    _deliver_later("video_failed", {"video_id": video_id})


def on_shared_to_user(sender: Any, *, share: Any, **kwargs: Any) -> None:
    _deliver_later("share", {"share_id": share.pk})


def on_follow_created(sender: Any, *, follower: Any, followee: Any, **kwargs: Any) -> None:
    _deliver_later("follow", {"follower_id": follower.pk, "followee_id": followee.pk})


def on_follow_requested(sender: Any, *, requester: Any, target: Any, **kwargs: Any) -> None:
    _deliver_later("follow_request", {"requester_id": requester.pk, "target_id": target.pk})


def on_follow_request_approved(sender: Any, *, requester: Any, target: Any, **kwargs: Any) -> None:
    _deliver_later("follow_approved", {"requester_id": requester.pk, "target_id": target.pk})


def on_case_resolved(
    sender: Any,
    *,
    case_id: int,
    kind: str,
    outcome: str,
    action: str,
    reporter_ids: list[int],
    video_id: int | None,
    **kwargs: Any,
) -> None:
    _deliver_later(
        "report_resolved",
        {
            "case_id": case_id,
            "kind": kind,
            "outcome": outcome,
            "action": action,
            "reporter_ids": list(reporter_ids),
            "video_id": video_id,
        },
    )
