"""Events the profiles app sends so that apps above it (notifications) can react without
profiles importing them.

Receivers are connected in the receiving app's AppConfig.ready(); every event is sent after the
change is committed, and a failing receiver is logged and never undoes what profiles did.

- `follow_created`, kwargs `follower`, `followee`: a follow now exists (a public account was
  followed, or a request was approved: then `follow_request_approved` is sent too).
- `follow_requested`, kwargs `requester`, `target`: a request to follow a private account.
- `follow_request_approved`, kwargs `requester`, `target`: the target approved the request.
- `follow_removed`, kwargs `follower`, `followee`: a follow ended (unfollowed, the follower was
  removed, or a block ended it). Creator analytics counts followers lost from it.
- `account_suspended`, `account_reinstated`, kwarg `user`: the account was suspended (its
  follows stop counting in follower counts) or reinstated (they count again).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.dispatch import Signal

from tiktok.signals import signal_send_robust

follow_created = Signal()
follow_requested = Signal()
follow_request_approved = Signal()
follow_removed = Signal()
account_suspended = Signal()
account_reinstated = Signal()


def _send_after_commit(signal: Signal, name: str, **kwargs: Any) -> None:
    transaction.on_commit(lambda: signal_send_robust(signal, name, **kwargs))


def follow_created_announce(*, follower: Any, followee: Any) -> None:
    _send_after_commit(follow_created, "follow_created", follower=follower, followee=followee)


def follow_requested_announce(*, requester: Any, target: Any) -> None:
    _send_after_commit(follow_requested, "follow_requested", requester=requester, target=target)


def follow_request_approved_announce(*, requester: Any, target: Any) -> None:
    _send_after_commit(
        follow_request_approved, "follow_request_approved", requester=requester, target=target
    )


def follow_removed_announce(*, follower: Any, followee: Any) -> None:
    _send_after_commit(follow_removed, "follow_removed", follower=follower, followee=followee)


def account_suspended_announce(*, user: Any) -> None:
    _send_after_commit(account_suspended, "account_suspended", user=user)


def account_reinstated_announce(*, user: Any) -> None:
    _send_after_commit(account_reinstated, "account_reinstated", user=user)
