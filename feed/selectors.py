"""Feed reads: the For You page, the Following feed and similar videos.

- `feed_page(*, viewer, session_id, cursor, limit, explore=True)` -> {items, next_cursor, prefetch}
- `following_feed(*, viewer)` -> ready videos of followed creators (a queryset to paginate by
  FOLLOWING_ORDERING)
- `video_similar(*, viewer, video_id, limit)` -> {items}
"""

from __future__ import annotations

import logging
import zlib
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.conf import settings
from django.db import connection
from django.db.models import QuerySet
from django.db.models.functions import Coalesce

from feed import ranking, state
from feed.cursors import cursor_decode, cursor_encode
from feed.models import HiddenVideo
from feed.page_inputs import PageInputs, page_inputs_read, plan_settings
from feed.page_plan import plan_page
from feed.vector_reads import video_vectors
from profiles.models import Follow, User
from profiles.viewers import viewer_id
from tiktok.db.sql import table
from tiktok.errors import InvalidInput, NotFound
from videos.cards import cards_for_ids
from videos.models import Video
from videos.vector_index import nearest_videos
from videos.versions import active_embedding_version
from videos.visibility import visible_videos, visible_where

logger = logging.getLogger(__name__)

PREFETCH_ITEMS = 3
# Similar videos: MMR picks the page from this many times `limit` nearest visible ones.
SIMILAR_POOL_FACTOR = 5


def page_limit_check(limit: Any) -> int:
    try:
        value = int(limit)
    except (TypeError, ValueError) as exc:
        raise InvalidInput("limit must be an integer", code="invalid_limit") from exc
    if not 1 <= value <= settings.FEED_PAGE_SIZE_MAX:
        raise InvalidInput(
            f"limit must be between 1 and {settings.FEED_PAGE_SIZE_MAX}", code="invalid_limit"
        )
    return value


def _page_rng(session_id: str, page: int) -> np.random.Generator:
    # Deterministic per (session, page): a retried request gets the same page.
    return np.random.default_rng(zlib.crc32(f"{session_id}:{page}".encode()))


def release_check(release: Any) -> list[int]:
    """The `release` parameter: comma-separated video ids (or a list), at most
    FEED_PAGE_SIZE_MAX * 2 of them."""
    if release in (None, ""):
        return []
    parts = release.split(",") if isinstance(release, str) else release
    if not isinstance(parts, list | tuple) or len(parts) > 2 * settings.FEED_PAGE_SIZE_MAX:
        raise InvalidInput(
            f"release takes at most {2 * settings.FEED_PAGE_SIZE_MAX} video ids",
            code="invalid_release",
        )
    try:
        ids = [int(str(part).strip()) for part in parts]
    except ValueError as exc:
        raise InvalidInput(
            "release must be comma-separated video ids", code="invalid_release"
        ) from exc
    if any(not 0 < video_id < 2**63 for video_id in ids):
        raise InvalidInput("release must be comma-separated video ids", code="invalid_release")
    return ids


def feed_page(
    *,
    viewer: Any,
    session_id: str,
    cursor: str | None,
    limit: int,
    explore: bool = True,
    release: Any = None,
    session_carried: bool = False,
) -> dict[str, Any]:
    """One page of the For You feed for a viewer (user or anonymous) in a session.

    Consecutive pages never repeat a video within the session (served ids live in the session
    state); explore=False turns exploration off (the evaluator scores recommendations so).
    `release`: videos an earlier page served that the client dropped unshown when it re-planned
    its queue (see docs/web.md): they leave the served set first, so this or a later page may
    offer them again (they were never seen: no event names them). `session_carried`: the
    session goes on through its cursors alone (`feed.sessions.FeedSession`), so they name it.

    One page of a session is built at a time (concurrent requests wait for each other), and a
    page's answer is remembered under its cursor: a retried request (its answer was lost)
    gets the same page, and its `release` is not applied twice. A first page (no cursor) is
    always new: a reload opens the feed afresh. A retry is checked again as a new request
    would be (see `_page_replay`)."""
    limit = page_limit_check(limit)
    released = release_check(release)
    page, cursor_token = 0, ""
    if cursor:
        decoded = cursor_decode(cursor)
        if not decoded.belongs_to(session_id):
            raise InvalidInput("the cursor belongs to another session", code="invalid_cursor")
        page, cursor_token = decoded.page, decoded.token
    user_id = viewer_id(viewer)
    request = _PageRequest(
        viewer=viewer,
        user_id=user_id,
        owner=state.owner_key(user_id=user_id, session_id=session_id),
        session_id=session_id,
        page=page,
        limit=limit,
        released=released,
        session_carried=session_carried,
    )
    owner = request.owner
    start = state.page_start(owner=owner, session_id=session_id, cursor_token=cursor_token)
    if start.memo is not None and start.lock is None and _replay_changes(request, start.memo):
        # A retry that releases videos changes the session: under the lock, on the answer as
        # it is then, or a stale retry racing another could release what a later page served.
        start = state.page_start(
            owner=owner, session_id=session_id, cursor_token=cursor_token, lock_required=True
        )
    memo = None
    try:
        if start.memo is not None:  # a retry of a page already answered: the same page
            cards, next_cursor, memo = _page_replay(request, memo=start.memo)
        else:
            cards, next_cursor = _page_build(request, explore=explore)
            memo = {
                "ids": [card["id"] for card in cards],
                "reasons": {str(card["id"]): card["reason"] for card in cards},
                "next": next_cursor,
                "released": sorted(set(released)),
            }
    finally:
        state.page_finish(
            owner=owner,
            session_id=session_id,
            lock=start.lock,
            cursor_token=cursor_token,
            memo=memo,
        )
    prefetch = [
        url
        for card in cards[:PREFETCH_ITEMS]
        for url in (card["hls_url"] or card["mp4_url"], card["poster_url"])
        if url
    ]
    return {"items": cards, "next_cursor": next_cursor, "prefetch": prefetch}


@dataclass(frozen=True)
class _PageRequest:
    """A page request once its parameters are checked."""

    viewer: Any
    user_id: int | None
    owner: str
    session_id: str
    page: int
    limit: int
    released: list[int]
    session_carried: bool = False


def _page_replay(
    request: _PageRequest, *, memo: dict[str, Any]
) -> tuple[list[dict[str, Any]], str | None, dict[str, Any] | None]:
    """The remembered page of a retried cursor, as of now: its cards, next cursor and the memo
    to store again (None when unchanged).

    - Videos the viewer may no longer see (hidden by moderation, made private, their creator
      blocked) or has since marked not interested (an account's hidden videos, and the
      session's own: an anonymous viewer's live only there) are left out.
    - A retry is often a client's re-plan after a lost answer, so it may carry a `release` the
      first request did not: the ids not released yet leave the served set now (never those
      on this page: the client is getting them).
    - A smaller `limit` cuts the page; the videos cut were never delivered, so they are
      released too. A larger one gets the remembered page as it was."""
    owner, session_id = request.owner, request.session_id
    kept, cut, fresh_release, applied = _replay_split(request, memo)
    if fresh_release or cut:
        state.served_release(owner=owner, session_id=session_id, video_ids=fresh_release + cut)
    offered = _still_offered(viewer=request.viewer, user_id=request.user_id, video_ids=kept)
    offered -= state.session_hidden(owner=owner, session_id=session_id)
    cards = cards_for_ids(video_ids=[v for v in kept if v in offered], viewer=request.viewer)
    reasons = memo["reasons"]
    for card in cards:
        card["reason"] = reasons.get(str(card["id"]), {"kind": "personalized"})
    next_cursor = memo["next"]
    if cut and next_cursor is None:
        next_cursor = _next_cursor(request)
    if not (fresh_release or cut):
        return cards, next_cursor, None
    return (
        cards,
        next_cursor,
        {
            "ids": kept,
            "reasons": {str(v): reasons[str(v)] for v in kept if str(v) in reasons},
            "next": next_cursor,
            "released": sorted(applied | set(fresh_release)),
        },
    )


def _replay_split(
    request: _PageRequest, memo: dict[str, Any]
) -> tuple[list[int], list[int], list[int], set[int]]:
    """A retry's remembered page as (kept, cut by a smaller limit, released ids not applied
    yet and not on the page, released ids applied already)."""
    ids = [int(v) for v in memo["ids"]]
    kept, cut = ids[: request.limit], ids[request.limit :]
    applied = {int(v) for v in memo.get("released", [])}
    fresh_release = [
        v for v in dict.fromkeys(request.released) if v not in applied and v not in kept
    ]
    return kept, cut, fresh_release, applied


def _replay_changes(request: _PageRequest, memo: dict[str, Any]) -> bool:
    """Whether replaying this memo releases videos (and so rewrites the memo)."""
    _, cut, fresh_release, _ = _replay_split(request, memo)
    return bool(cut or fresh_release)


def _still_offered(*, viewer: Any, user_id: int | None, video_ids: list[int]) -> set[int]:
    """The videos among these that a page could offer the viewer now: visible to them (ready,
    not hidden by moderation, readable, no block either way) and not marked not interested."""
    if not video_ids:
        return set()
    video = table(Video)
    where, params = visible_where(viewer=viewer)
    not_hidden = ""
    if user_id is not None:
        not_hidden = (
            f" AND NOT EXISTS (SELECT 1 FROM {table(HiddenVideo)} h "
            f"WHERE h.user_id = %s AND h.video_id = {video}.id)"
        )
        params = [*params, user_id]
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {video}.id FROM {video} WHERE {video}.id = ANY(%s::bigint[]) "
            f"AND {where}{not_hidden}",
            [video_ids, *params],
        )
        return {row[0] for row in cursor.fetchall()}


def _page_build(request: _PageRequest, *, explore: bool) -> tuple[list[dict[str, Any]], str | None]:
    """A new page (under the session's page lock): its cards with their reasons, and the
    next cursor."""
    viewer, owner, session_id = request.viewer, request.owner, request.session_id
    page, limit, released = request.page, request.limit, request.released
    if released:
        # Only what the session was served comes back as a released candidate: another id
        # (never served, or served in another session) is no card the client dropped.
        released = state.served_release(owner=owner, session_id=session_id, video_ids=released)
    rng = _page_rng(session_id, page)
    inputs = page_inputs_read(
        viewer=viewer,
        user_id=request.user_id,
        session_id=session_id,
        embedding_version=active_embedding_version(),
        rng=rng,
        released=released,
    )
    plan = plan_page(
        inputs.candidates, limit=limit, explore=explore, rng=rng, config=plan_settings()
    )
    video_ids, kinds = list(plan.video_ids), dict(plan.kinds)
    if len(video_ids) < limit:
        again = _rewatch_ids(request, taken=set(video_ids), count=limit - len(video_ids))
        video_ids += again
        kinds.update(dict.fromkeys(again, "rewatch"))
    served = state.served_add_start(owner=owner, session_id=session_id, video_ids=video_ids)
    cards = cards_for_ids(video_ids=video_ids, viewer=viewer)
    served.result()
    for card in cards:
        card["reason"] = _reason(card, kinds.get(card["id"], "personalized"), inputs)
    # A full page has a next page even when a video left it between planning and its card
    # (deleted meanwhile): only a page short of candidates ends the feed.
    next_cursor = _next_cursor(request) if len(video_ids) == limit else None
    return cards, next_cursor


def _rewatch_ids(request: _PageRequest, *, taken: set[int], count: int) -> list[int]:
    """What a page short of new videos is filled with: the viewer's seen videos, longest ago
    first, that the session has not served (on a first page - a reload - those it served too)
    and the viewer may still be offered. A viewer who had seen
    a small catalogue got empty pages for the seven days videos stay seen ("No videos yet"),
    in every tab."""
    owner, session_id = request.owner, request.session_id
    seen, served = state.rewatch_order(owner=owner, session_id=session_id)
    order = seen if request.page == 0 else [v for v in seen if v not in served]
    order = [v for v in dict.fromkeys(order) if v not in taken]
    if not order:
        return []
    offered = _still_offered(viewer=request.viewer, user_id=request.user_id, video_ids=order)
    offered -= state.session_hidden(owner=owner, session_id=session_id)
    return [v for v in order if v in offered][:count]


def _next_cursor(request: _PageRequest) -> str:
    return cursor_encode(
        page=request.page + 1,
        session_id=request.session_id,
        names_session=request.session_carried,
    )


def _reason(card: dict[str, Any], kind: str, inputs: PageInputs) -> dict[str, Any]:
    """Why a card is on the page: its kind, and what the viewer engaged with that it shares -
    the taxonomy's tags first; for a personal pick without one, a hashtag ("because you like
    #name") or a sound ("because you watched videos with this sound")."""
    because = [tag["name"] for tag in card["tags"] if tag["slug"] in inputs.liked_tags]
    if kind == "personalized" and not because:
        video_id = card["id"]
        if video_id in inputs.same_hashtag:
            return {"kind": "hashtag", "because": [f"#{inputs.same_hashtag[video_id]}"]}
        if video_id in inputs.same_sound:
            return {"kind": "sound", "because": []}
    return {"kind": kind, "because": because}


# Newest publication first: a video published today after a long queue or a re-run belongs
# at the top, not among the days-old uploads the viewer has already scrolled past.
FOLLOWING_ORDERING = ("-posted", "-id")


def following_feed(*, viewer: User) -> QuerySet[Video]:
    """Ready videos of creators the viewer follows, that the viewer may see, annotated with
    `posted` (when published, else made: never null, so the keyset keeps every row); order
    them by FOLLOWING_ORDERING."""
    followees = Follow.objects.filter(follower=viewer).values("followee_id")
    return (
        visible_videos(viewer=viewer)
        .filter(owner_id__in=followees)
        .annotate(posted=Coalesce("published_at", "created_at"))
    )


def video_similar(*, viewer: Any, video_id: int, limit: int) -> dict[str, Any]:
    """Nearest neighbours of a video (same version), diversified with MMR, visible ones only;
    404 for a video the viewer cannot see."""
    limit = page_limit_check(limit)
    video = visible_videos(viewer=viewer).filter(pk=video_id).first()
    if video is None:
        raise NotFound("video not found")
    version = active_embedding_version()
    vector = (
        video_vectors(video_ids=[video.pk], embedding_version=version).get(video.pk)
        if version
        else None
    )
    if vector is None:
        return {"items": []}
    where, params = visible_where(viewer=viewer)
    videos_table = connection.ops.quote_name(Video._meta.db_table)
    neighbours = nearest_videos(
        query=vector,
        embedding_version=version,
        limit=limit * SIMILAR_POOL_FACTOR,
        video_where=(f"{where} AND {videos_table}.id <> %s", [*params, video.pk]),
    )
    ids = [vid for vid, _ in neighbours]
    visible = dict(Video.objects.filter(pk__in=ids).values_list("id", "owner_id"))
    ids = [vid for vid in ids if vid in visible]
    similarity = dict(neighbours)
    vectors_by_id = video_vectors(video_ids=ids, embedding_version=version)
    ids = [vid for vid in ids if vid in vectors_by_id]
    if not ids:
        return {"items": []}
    picks = ranking.mmr_select(
        np.asarray([similarity[v] for v in ids]),
        np.stack([vectors_by_id[v] for v in ids]),
        limit,
        settings.FEED_MMR_LAMBDA,
        creators=[visible[v] for v in ids],
        max_per_creator=max(settings.FEED_MAX_PER_CREATOR, limit),
    )
    return {"items": cards_for_ids(video_ids=[ids[i] for i in picks], viewer=viewer)}
