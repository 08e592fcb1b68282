"""What moderation tells the apps above it (notifications), which connect receivers in their
AppConfig.ready(). A receiver that fails is logged and never undoes or fails what moderation
did (`send_robust`).

- `case_resolved`, sent after the resolution is committed, with kwargs:
  `case_id` (int), `kind` ("video", "comment" or "user": what was reported),
  `outcome` ("actioned": a moderator acted on the item, or "dismissed": nothing was wrong),
  `action` ("hide_video", "remove_comment", "suspend_user", "dismiss" or "reinstate": what the
  moderator did), `reporter_ids` (list of user ids of everyone who reported it in this case, to
  tell them the outcome), `video_id` (the reported video, the commented video for a comment, or
  None for an account).
"""

from __future__ import annotations

from django.dispatch import Signal

from tiktok.signals import signal_send_robust

case_resolved = Signal()


def case_resolved_announce(
    *,
    case_id: int,
    kind: str,
    outcome: str,
    action: str,
    reporter_ids: list[int],
    video_id: int | None,
) -> None:
    signal_send_robust(
        case_resolved,
        "case_resolved",
        case_id=case_id,
        kind=kind,
        outcome=outcome,
        action=action,
        reporter_ids=reporter_ids,
        video_id=video_id,
    )
