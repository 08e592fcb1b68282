"""Events the feed sends so that apps above it can react without the feed importing them.

Receivers are connected in the receiving app's AppConfig.ready(); a failing receiver is logged
and never undoes or fails what the feed stored (`send_robust`).

- `videos_finished`, kwargs `user_id`, `video_ids`: a signed-in viewer's batch of events stored
  new `finish` events (played to the end) of these videos; sent after the batch commits.
  Anonymous finishes are not announced (anyone can send them). Challenges count them.
"""

from __future__ import annotations

from django.dispatch import Signal

from tiktok.signals import signal_send_robust

videos_finished = Signal()


def videos_finished_announce(*, user_id: int, video_ids: list[int]) -> None:
    signal_send_robust(videos_finished, "videos_finished", user_id=user_id, video_ids=video_ids)
