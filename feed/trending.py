"""Trending, fresh and cold-start lists, computed from the interaction stream into Redis."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import connection

from feed import state
from feed.interest_arms import arms_refresh
from feed.models import Interaction, VideoStats
from feed.ranking import trending_score
from tagging.models import Tag, VideoTag
from tiktok.db.sql import table
from videos.models import Video
from videos.visibility import anyone_may_see_sql

_ANYONE_MAY_SEE = anyone_may_see_sql("v")

COLD_START_PER_CATEGORY = 2
FRESH_LIST_SIZE = 300
_POPULARITY_SQL = "(v.view_count + 10 * v.like_count + 50 * v.share_count)"


def _decayed_counts() -> list[tuple[int, float, float, float, float, float]]:
    """(video_id, views, likes, shares, finishes, age_hours) of public ready videos with events
    of signed-in viewers in the window. Each viewer counts once per video and kind, weighted
    0.5^(age / half-life) by their first such event in the window (a play or share sent again
    does not make an old view new): a hundred plays or likes from one account are one
    viewer's, and a like taken back (their latest like or unlike is an unlike) is
    none. Grouped, not sorted: one hash aggregate over the window's
    events (a DISTINCT ON sorted every one of them)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT g.video_id,
                   COALESCE(SUM(g.d) FILTER (WHERE g.kind = 'play'), 0),
                   COALESCE(SUM(g.d) FILTER (WHERE g.kind = 'like'), 0),
                   COALESCE(SUM(g.d) FILTER (WHERE g.kind = 'share'), 0),
                   COALESCE(SUM(g.d) FILTER (WHERE g.kind = 'finish'), 0),
                   EXTRACT(EPOCH FROM now() - MAX(COALESCE(v.published_at, v.created_at))) / 3600.0
            FROM (
                SELECT video_id, kind,
                       CASE WHEN kind <> 'like' OR liked > COALESCE(unliked, 0)
                            -- in float8: EXTRACT gives numeric, whose power() cost a
                            -- few microseconds per row, most of the query's time
                            THEN power(0.5, EXTRACT(EPOCH FROM now() - first_at)::float8
                                            / 3600 / %(half)s)
                            ELSE 0 END AS d
                FROM (
                    SELECT user_id, video_id,
                           CASE WHEN type = 'unlike' THEN 'like' ELSE type END AS kind,
                           MIN(created_at) AS first_at,
                           -- which came last: ids follow the order events were stored
                           -- (a batch's events share their transaction's created_at)
                           MAX(id) FILTER (WHERE type = 'like') AS liked,
                           MAX(id) FILTER (WHERE type = 'unlike') AS unliked
                    FROM {table(Interaction)}
                    WHERE created_at >= now() - make_interval(hours => %(window)s)
                      AND type IN ('play', 'like', 'unlike', 'share', 'finish')
                      -- anonymous events are free to forge: they shape only their own session
                      AND user_id IS NOT NULL
                    GROUP BY user_id, video_id, kind
                ) e
            ) g
            JOIN {table(Video)} v ON v.id = g.video_id
            WHERE {_ANYONE_MAY_SEE}
            GROUP BY g.video_id
            """,
            {
                "half": settings.FEED_TRENDING_HALF_LIFE_HOURS,
                "window": settings.FEED_TRENDING_WINDOW_HOURS,
            },
        )
        return [tuple(float(x) if i else int(x) for i, x in enumerate(row)) for row in cursor]


def _popular_fallback(limit: int) -> list[tuple[int, float]]:
    """Public ready videos by lifetime counters, newest first among equals (a quiet catalogue
    still has something to show)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT v.id, {_POPULARITY_SQL} FROM {table(Video)} v "
            f"WHERE {_ANYONE_MAY_SEE} "
            f"ORDER BY {_POPULARITY_SQL} DESC, v.published_at DESC NULLS LAST, v.id DESC "
            "LIMIT %s",
            [limit],
        )
        return [(int(vid), float(score)) for vid, score in cursor]


def _fresh_rows() -> list[tuple[int, float, float]]:
    """(video_id, finishes, exposures) of recent public videos with little exposure yet."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT v.id, COALESCE(s.finishes, 0), "
            f"GREATEST(COALESCE(s.impressions, 0), COALESCE(s.plays, 0)) FROM {table(Video)} v "
            f"LEFT JOIN {table(VideoStats)} s ON s.video_id = v.id "
            f"WHERE {_ANYONE_MAY_SEE} "
            "AND COALESCE(v.published_at, v.created_at) >= now() - make_interval(hours => %s) "
            "AND COALESCE(s.impressions, 0) < %s "
            "ORDER BY COALESCE(v.published_at, v.created_at) DESC, v.id DESC LIMIT %s",
            [settings.FEED_FRESH_HOURS, settings.FEED_FRESH_MAX_IMPRESSIONS, FRESH_LIST_SIZE],
        )
        return [(int(vid), float(done), float(seen)) for vid, done, seen in cursor]


def _cold_start_ids(trending: dict[int, float]) -> list[int]:
    """The top videos of each broad tag category (by trending score, then lifetime counters),
    interleaved category by category."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT category_id, video_id, popularity FROM (
                SELECT t.category_id, vt.video_id, {_POPULARITY_SQL} AS popularity,
                       row_number() OVER (
                           PARTITION BY t.category_id
                           ORDER BY {_POPULARITY_SQL} DESC, vt.score DESC, v.id DESC
                       ) AS rn
                FROM {table(VideoTag)} vt
                JOIN {table(Tag)} t ON t.id = vt.tag_id
                JOIN {table(Video)} v ON v.id = vt.video_id
                WHERE t.category_id IS NOT NULL AND t.is_active
                  AND {_ANYONE_MAY_SEE}
            ) ranked WHERE rn <= 10
            ORDER BY category_id
            """
        )
        by_category: dict[int, list[tuple[float, float, int]]] = {}
        for category_id, video_id, popularity in cursor:
            by_category.setdefault(category_id, []).append(
                (trending.get(video_id, 0.0), float(popularity), int(video_id))
            )
    picks: list[list[int]] = []
    for rows in by_category.values():
        rows.sort(reverse=True)
        picks.append([video_id for _, _, video_id in rows])
    chosen: list[int] = []
    for rank in range(COLD_START_PER_CATEGORY):
        for ids in picks:
            for video_id in ids[rank:]:
                if video_id not in chosen:
                    chosen.append(video_id)
                    break
    return chosen


def _by_rank(ordered: dict[int, float]) -> dict[int, float]:
    """The list's order as its stored scores (first highest): Redis orders equal scores by the
    member's string ("99" above "102"), which turned a quiet catalogue's ties (every fallback
    score equal) into an order by the digits of the ids."""
    return {video_id: float(len(ordered) - rank) for rank, video_id in enumerate(ordered)}


def trending_refresh() -> dict[str, Any]:
    """Recompute trending (velocity with time decay x completion x recency), fresh and
    cold-start lists and the interest arms (feed/interest_arms.py) into Redis; returns their
    sizes."""
    size = settings.FEED_TRENDING_SIZE
    scores = {
        video_id: trending_score(max(views, finishes), likes, shares, finishes, age_hours)
        for video_id, views, likes, shares, finishes, age_hours in _decayed_counts()
    }
    # A video whose only engagement in the window is a like taken back is not trending (its 0
    # also made the floor below 0, and every fallback score with it).
    scores = {video_id: score for video_id, score in scores.items() if score > 0}
    top = dict(sorted(scores.items(), key=lambda item: (-item[1], -item[0]))[:size])
    if len(top) < size:
        floor = min(top.values(), default=1.0)
        for video_id, popularity in _popular_fallback(size):
            if video_id not in top and len(top) < size:
                # below every video with recent engagement, ordered by lifetime counters
                top[video_id] = floor * 1e-3 * (1.0 - 1.0 / (2.0 + popularity))
    fresh = _fresh_rows()
    cold_start = _cold_start_ids(top)
    state.lists_store(trending=_by_rank(top), fresh=fresh, cold_start=cold_start)
    arms = arms_refresh()
    return {
        "trending": len(top),
        "fresh": len(fresh),
        "cold_start": len(cold_start),
        "arms": arms,
    }
