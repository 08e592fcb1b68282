"""How the feed reacts to what the videos app announces (connected in FeedConfig.ready())."""

from __future__ import annotations

import logging
from typing import Any

import redis
from django.conf import settings

from feed.aggregates import aggregates_backlog
from feed.scheduling import lists_refresh_soon
from feed.services import interaction_emit
from feed.state import anonymous_session_adopt
from tiktok.session_ids import session_id_valid

logger = logging.getLogger(__name__)


def on_embedding_version_served(sender: Any, *, version: str, **kwargs: Any) -> None:
    """Another embedding version is served: the long-term tastes are rebuilt in it (each
    viewer was a cold start there)."""
    from feed.tasks import taste_rebuild

    try:
        taste_rebuild.delay(version)
    except Exception:  # noqa: BLE001 - never fails the request that noticed the switch
        logger.warning("could not queue the taste rebuild for %s", version, exc_info=True)


def on_video_published(sender: Any, *, video_id: int, **kwargs: Any) -> None:
    """A newly ready video reaches the fresh and cold-start lists within seconds."""
    lists_refresh_soon()


def on_engagement_recorded(
    sender: Any,
    *,
    user: Any,
    session_id: str,
    video: Any,
    type: str,  # noqa: A002
    client: str | None = None,
    **kwargs: Any,
) -> None:
    """A like, save or share teaches the feed as the same event sent by a client would, a
    session it names for the first time counting against the client's budget of new session
    tastes as on /api/interactions."""
    interaction_emit(user=user, session_id=session_id, video=video, type=type, client=client)


def on_user_logged_in(sender: Any, *, request: Any, user: Any, **kwargs: Any) -> None:
    """Signing in mid-scroll on a session the client names (the web client sends X-Session-Id
    on every call): the account goes on from what that session was served and saw signed out.
    A Redis outage never fails the sign-in."""
    if request is None:
        return
    session_id = request.headers.get("X-Session-Id") or request.GET.get("session_id")
    if not session_id or not session_id_valid(session_id):
        return
    try:
        anonymous_session_adopt(user_id=user.pk, session_id=session_id)
    except redis.RedisError:
        logger.warning("could not carry session %s over to user %s", session_id, user.pk)


def check_feed_aggregates() -> dict[str, Any]:
    """Health: the aggregates interaction requests queue are being applied (a worker consumes
    the feed queue): the oldest queued batch is younger than FEED_AGGREGATES_STALE_SECONDS."""
    backlog = aggregates_backlog()
    if backlog["dead_letter"]:
        raise RuntimeError(
            f"{backlog['dead_letter']} aggregate entries set aside after failing repeatedly: "
            "see manage.py aggregates_dead_letter"
        )
    if backlog["oldest_s"] > settings.FEED_AGGREGATES_STALE_SECONDS:
        raise RuntimeError(
            f"{backlog['pending']} aggregate batches queued, the oldest for "
            f"{backlog['oldest_s']:.0f} s: is a Celery worker consuming the 'feed' queue?"
        )
    return backlog
