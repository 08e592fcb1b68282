"""Candidate sources for a feed page (one query each) and the batched facts about candidates."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.db import DEFAULT_DB_ALIAS
from django.utils import timezone

from feed.embeddings import (
    binary_rows,
    cached_vectors,
    vector_decode,
    vectors_decode,
    vectors_remember,
    video_vectors,
)
from feed.stats_cache import stats_cached, stats_remember
from videos.vector_index import nearest_sql, vector_literal
from videos.visibility import visible_videos

FOLLOWING_DAYS = 14
FOLLOWING_CANDIDATES = 50
HIDDEN_MAX = 5000
HIDDEN_VECTORS_MAX = 200


def nearest_candidates(
    *, query: np.ndarray, embedding_version: str, limit: int
) -> tuple[list[int], np.ndarray]:
    """pgvector nearest neighbours through the partial HNSW index: ids and cosine, nearest
    first. Their vectors come back in the same scan (binary) into the process cache, where
    `candidate_facts` finds them: reading them there measured cheaper than a lookup per
    candidate in the facts query."""
    statement = nearest_sql(embedding_version=embedding_version, dim=len(query))
    head = "SELECT e.video_id, "
    assert statement.startswith(head)
    statement = head + "vector_send(e.embedding), " + statement[len(head) :]
    rows = binary_rows(statement, {"query": vector_literal(query), "limit": limit})
    if not rows:
        return [], np.zeros(0)
    ids = [int(row[0]) for row in rows]
    vectors_remember(
        vectors=dict(zip(ids, vectors_decode([row[1] for row in rows]), strict=True)),
        embedding_version=embedding_version,
    )
    return ids, np.asarray([float(row[2]) for row in rows])


@dataclass
class ViewerContext:
    """What the page needs about the viewer from PostgreSQL, read in one round trip."""

    long_term: np.ndarray | None  # u_long, None without positives in this version
    hidden_ids: set[int]  # not_interested videos
    hidden_vectors: np.ndarray  # vectors of the latest ones (to bury near-duplicates)
    following: list[int]  # followed creators' recent videos, newest first
    coengaged: dict[int, int]  # co-engaged with the recent positives: {video_id: summed count}
    liked_tags: set[str]  # active tag slugs of the recent positives (the "because" of reasons)


_CONTEXT_SQL = """
SELECT
  (SELECT vector_send(t.vector) FROM profiles_tasteprofile t
    WHERE t.user_id = %(user)s AND t.embedding_version = %(version)s AND t.weight_total > 0),
  ARRAY(SELECT h.video_id FROM feed_hiddenvideo h WHERE h.user_id = %(user)s
        ORDER BY h.created_at DESC LIMIT %(hidden_max)s),
  ARRAY(SELECT v.id FROM videos_video v
        WHERE v.owner_id IN (
            SELECT f.followee_id FROM profiles_follow f WHERE f.follower_id = %(user)s)
          AND v.status = 'ready' AND v.published_at >= %(since)s
        ORDER BY v.published_at DESC LIMIT %(following_max)s),
  ARRAY(SELECT ARRAY[c.neighbour, c.total] FROM (
          SELECT x.neighbour, SUM(x.count)::bigint AS total FROM (
            SELECT video_b_id AS neighbour, count FROM feed_coengagement
            WHERE video_a_id = ANY(%(positives)s::bigint[])
            UNION ALL
            SELECT video_a_id, count FROM feed_coengagement
            WHERE video_b_id = ANY(%(positives)s::bigint[])) x
          GROUP BY x.neighbour ORDER BY total DESC, x.neighbour DESC LIMIT %(co_max)s) c),
  ARRAY(SELECT DISTINCT t.slug FROM tagging_videotag vt JOIN tagging_tag t ON t.id = vt.tag_id
        WHERE vt.video_id = ANY(%(positives)s::bigint[]) AND t.is_active)
"""


def int_array(values: Iterable[int]) -> str:
    """A PostgreSQL array literal of integers, for `%s::bigint[]` (psycopg's list adaptation
    checks every element's type, which measured about 1 ms per 1,000 ids)."""
    return "{" + ",".join(str(int(v)) for v in values) + "}"


def viewer_context(
    *,
    user_id: int | None,
    embedding_version: str | None,
    recent_positives: Sequence[int],
    coengagement_limit: int,
) -> ViewerContext:
    """Long-term taste, hidden videos, followed creators' new videos, co-engagement neighbours
    of the recent positives and their tags - one query (anonymous viewers have only the last
    two, from their session's positives)."""
    row = binary_rows(
        _CONTEXT_SQL,
        {
            "user": user_id,
            "version": embedding_version or "",
            "hidden_max": HIDDEN_MAX,
            "since": timezone.now() - dt.timedelta(days=FOLLOWING_DAYS),
            "following_max": FOLLOWING_CANDIDATES,
            "positives": int_array(recent_positives),
            "co_max": coengagement_limit,
        },
    )[0]
    taste_raw, hidden, following, coengaged, liked_tags = row
    long_term = vector_decode(taste_raw) if embedding_version else None
    hidden_ids = [int(v) for v in hidden or []]
    hidden_vectors = np.zeros((0, 0), dtype=np.float32)
    if hidden_ids and embedding_version:
        vectors = video_vectors(
            video_ids=hidden_ids[:HIDDEN_VECTORS_MAX], embedding_version=embedding_version
        )
        if vectors:
            hidden_vectors = np.stack(list(vectors.values()))
    return ViewerContext(
        long_term=long_term,
        hidden_ids=set(hidden_ids),
        hidden_vectors=hidden_vectors,
        following=[int(v) for v in following or []],
        coengaged={int(pair[0]): int(pair[1]) for pair in coengaged or []},
        liked_tags=set(liked_tags or []),
    )


@dataclass
class CandidateFacts:
    """Column arrays over the candidates the viewer may see, in one order."""

    ids: list[int]
    owners: list[int]
    age_hours: np.ndarray
    impressions: np.ndarray
    plays: np.ndarray
    finishes: np.ndarray
    likes: np.ndarray
    vectors: np.ndarray
    has_vector: np.ndarray


_VIEWER_SENTINEL_PK = -7_351_902_468_113
_visible_where_cache: dict[tuple[bool, bool], tuple[str, list]] = {}


def visible_where(*, viewer: Any, include_own_unready: bool = False) -> tuple[str, list]:
    """The WHERE condition of `visible_videos` (on table "videos_video", %s placeholders), to
    put into a hand-written query so visibility stays defined in one place and the table is
    scanned once. Compiled once per process and viewer kind (building the queryset costs more
    than the query): for users, with a placeholder id that is then replaced by theirs."""
    from profiles.models import User

    authenticated = viewer is not None and getattr(viewer, "is_authenticated", False)
    user_id = viewer.pk if authenticated else None
    key = (user_id is not None, include_own_unready)
    if key not in _visible_where_cache:
        template_viewer = User(pk=_VIEWER_SENTINEL_PK) if user_id is not None else None
        query = visible_videos(
            viewer=template_viewer, include_own_unready=include_own_unready
        ).query
        compiled = query.get_compiler(using=DEFAULT_DB_ALIAS).compile(query.where)
        _visible_where_cache[key] = (compiled[0], list(compiled[1]))
    where_sql, template_params = _visible_where_cache[key]
    return where_sql, [
        user_id if value == _VIEWER_SENTINEL_PK else value for value in template_params
    ]


# Counters and vectors are read only for the candidates missing from the process caches, each
# by an index lookup in a correlated subquery: a join on feed_videostats planned as a hash join
# over the whole table for a few hundred ids (measured 2 ms slower at 100k videos).
_FACTS_SQL = (
    'SELECT "videos_video".id, "videos_video".owner_id, '
    'EXTRACT(EPOCH FROM now() - COALESCE("videos_video".published_at, '
    '"videos_video".created_at))::float8 / 3600.0, '
    '"videos_video".like_count::float8, '
    'CASE WHEN "videos_video".id = ANY(%s::bigint[]) THEN COALESCE(('
    "SELECT ARRAY[s.impressions, s.plays, s.finishes]::float8[] FROM feed_videostats s "
    'WHERE s.video_id = "videos_video".id), ARRAY[0, 0, 0]::float8[]) END, '
    'CASE WHEN "videos_video".id = ANY(%s::bigint[]) THEN ('
    "SELECT vector_send(e.embedding) FROM videos_videoembedding e "
    'WHERE e.video_id = "videos_video".id AND e.embedding_version = %s) END '
    'FROM "videos_video" '
    'WHERE "videos_video".id = ANY(%s::bigint[]) AND ({visible})'
)


def candidate_facts(
    *,
    viewer: Any,
    video_ids: Sequence[int],
    embedding_version: str | None,
    dim: int,
) -> CandidateFacts:
    """Visibility filter plus owner, age, likes, and the engagement counters and vectors missing
    from the process caches, of all candidates, in one query, in the order given."""
    ids = [int(v) for v in video_ids]
    vectors: dict[int, np.ndarray] = {}
    missing: list[int] = []
    if embedding_version:
        vectors, missing = cached_vectors(video_ids=ids, embedding_version=embedding_version)
    counters, counters_missing = stats_cached(ids)
    if not ids:
        rows: list[tuple] = []
    else:
        visible, visible_params = visible_where(viewer=viewer)
        id_array = int_array(ids)
        rows = binary_rows(
            _FACTS_SQL.format(visible=visible),
            [
                int_array(counters_missing),
                int_array(missing),
                embedding_version or "",
                id_array,
                *visible_params,
            ],
        )
        position = {video_id: index for index, video_id in enumerate(ids)}
        rows.sort(key=lambda row: position[row[0]])
        fetched = {row[0]: tuple(row[4]) for row in rows if row[4] is not None}
        stats_remember(fetched)
        counters.update(fetched)
    with_vector = [row for row in rows if row[5] is not None]
    read = dict(
        zip(
            [row[0] for row in with_vector],
            vectors_decode([row[5] for row in with_vector]),
            strict=True,
        )
    )
    if read and embedding_version:
        vectors_remember(vectors=read, embedding_version=embedding_version)
    vectors.update(read)
    if dim == 0:
        dim = next((len(v) for v in vectors.values()), 0)
    matrix = np.zeros((len(rows), dim), dtype=np.float32)
    has_vector = np.zeros(len(rows), dtype=bool)
    for index, row in enumerate(rows):
        vector = vectors.get(row[0])
        if vector is not None and len(vector) == dim:
            matrix[index] = vector
            has_vector[index] = True
    numbers = np.asarray(
        [(row[2], *counters[row[0]], row[3]) for row in rows], dtype=np.float64
    ).reshape(len(rows), 5)
    return CandidateFacts(
        ids=[row[0] for row in rows],
        owners=[row[1] for row in rows],
        age_hours=numbers[:, 0],
        impressions=numbers[:, 1],
        plays=numbers[:, 2],
        finishes=numbers[:, 3],
        likes=numbers[:, 4],
        vectors=matrix,
        has_vector=has_vector,
    )
