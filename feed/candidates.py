"""Candidate sources for a feed page and the batched facts about candidates.

A page reads PostgreSQL with two statements at once - the HNSW search (`nearest_start`, on a
side connection) and the viewer's context (`viewer_context`) - then the facts of all candidates
(`facts_read`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np
from django.utils import timezone

from feed.models import CoEngagement, HiddenVideo, TasteProfile, VideoStats
from feed.page_model import CandidateFacts
from feed.stats_cache import stats_cached, stats_remember
from feed.vector_reads import (
    cached_vectors,
    vector_decode,
    vectors_decode,
    vectors_remember,
    video_vectors,
)
from profiles.models import Follow
from tagging.models import Tag, VideoTag
from tiktok.db.binary import binary_read, binary_rows
from tiktok.db.side_reads import SideRead, side_read
from tiktok.db.sql import int_array, table, vector_literal
from tiktok.vectors import EPSILON
from videos.models import Hashtag, Video, VideoEmbedding, VideoHashtag
from videos.vector_index import nearest_scan_sql
from videos.visibility import visible_where

FOLLOWING_DAYS = 14
FOLLOWING_CANDIDATES = 50
HIDDEN_MAX = 5000
HIDDEN_VECTORS_MAX = 200
# Videos sharing a sound or a hashtag with the recent positives: the most specific sounds and
# hashtags (fewest videos) first, a few of each, newest first within one.
SHARED_SOUNDS = 5
SHARED_HASHTAGS = 8
SHARED_PER_KEY = 12
SHARED_MAX = 60
# Co-engagement scored as item-kNN does: each count with a recent positive i divided by
# sqrt(positives of i), summed, then divided by sqrt(positives of the neighbour) + shrink, so
# a niche neighbour is not drowned by the blockbusters that co-occur with everything, and a
# pair seen once weighs less than one seen often.
COENGAGEMENT_SHRINK = 3.0


@dataclass
class ViewerContext:
    """What the page needs about the viewer from PostgreSQL, read in one round trip."""

    long_term: np.ndarray | None  # u_long, None without positives in this version
    long_term_weight: float  # W of u_long (0 without it): how much evidence it holds
    hidden_ids: set[int]  # not_interested videos: the HIDDEN_MAX newest
    hidden_vectors: np.ndarray  # vectors of the latest ones (to bury near-duplicates)
    following: list[int]  # followed creators' recent videos, newest first
    coengaged: dict[int, int]  # co-engaged with the recent positives: {video_id: summed count}
    liked_tags: set[str]  # active tag slugs of the recent positives (the "because" of reasons)
    # Item-kNN's score of each co-engaged video (see COENGAGEMENT_SHRINK).
    coengaged_scores: dict[int, float] = field(default_factory=dict)
    # Videos sharing a sound with the recent positives, most specific sound first.
    same_sound: list[int] = field(default_factory=list)
    # Videos sharing a hashtag with the recent positives: {video_id: the hashtag's name}.
    same_hashtag: dict[int, str] = field(default_factory=dict)
    # Whether hidden_ids holds every not-interested video of the viewer (False: HIDDEN_MAX
    # reached, and the candidates' facts must leave out the older ones themselves).
    hidden_complete: bool = True


_CONTEXT_SQL = f"""
WITH positive_counts AS MATERIALIZED (
  SELECT p.id, COALESCE(s.positives, 0)::float8 AS n, power(%(co_decay)s, p.rank - 1) AS w
  FROM unnest(%(positives)s::bigint[]) WITH ORDINALITY AS p(id, rank)
  LEFT JOIN {table(VideoStats)} s ON s.video_id = p.id)
SELECT
  taste.vector,
  taste.weight_total,
  ARRAY(SELECT h.video_id FROM {table(HiddenVideo)} h WHERE h.user_id = %(user)s
        ORDER BY h.created_at DESC LIMIT %(hidden_max)s),
  ARRAY(SELECT v.id FROM {table(Video)} v
        WHERE v.owner_id IN (
            SELECT f.followee_id FROM {table(Follow)} f WHERE f.follower_id = %(user)s)
          AND v.status = 'ready' AND v.published_at >= %(since)s
        ORDER BY v.published_at DESC LIMIT %(following_max)s),
  ARRAY(SELECT ARRAY[c.neighbour, c.total, c.score] FROM (
          SELECT g.neighbour, g.total, g.weighted / (
                   sqrt(GREATEST(COALESCE((SELECT s.positives FROM {table(VideoStats)} s
                                           WHERE s.video_id = g.neighbour), 0), 1))
                   + %(co_shrink)s) AS score
          FROM (
            SELECT x.neighbour, SUM(x.count)::float8 AS total,
                   SUM(x.w * x.count / sqrt(GREATEST(x.n, 1)))::float8 AS weighted
            FROM (
              SELECT ce.video_b_id AS neighbour, ce.count, p.n, p.w FROM {table(CoEngagement)} ce
              JOIN positive_counts p ON p.id = ce.video_a_id
              UNION ALL
              SELECT ce.video_a_id, ce.count, p.n, p.w FROM {table(CoEngagement)} ce
              JOIN positive_counts p ON p.id = ce.video_b_id) x
            GROUP BY x.neighbour) g
          ORDER BY score DESC, g.neighbour DESC LIMIT %(co_max)s) c),
  ARRAY(SELECT DISTINCT t.slug FROM {table(VideoTag)} vt JOIN {table(Tag)} t ON t.id = vt.tag_id
        WHERE vt.video_id = ANY(%(positives)s::bigint[]) AND t.is_active),
  ARRAY(SELECT x.id FROM (
          SELECT DISTINCT p.sound_id, (SELECT count(*) FROM (
                   SELECT 1 FROM {table(Video)} c WHERE c.sound_id = p.sound_id
                   LIMIT 1000) n) AS uses
            FROM {table(Video)} p
           WHERE p.id = ANY(%(positives)s::bigint[]) AND p.sound_id IS NOT NULL
           ORDER BY uses, p.sound_id LIMIT %(shared_sounds)s) s
        CROSS JOIN LATERAL (
          SELECT v.id FROM {table(Video)} v
           WHERE v.sound_id = s.sound_id AND v.status = 'ready'
             AND v.id <> ALL(%(positives)s::bigint[])
           ORDER BY v.published_at DESC NULLS LAST LIMIT %(shared_per_key)s) x
        LIMIT %(shared_max)s),
  ARRAY(SELECT ARRAY[x.video_id::text, h.name] FROM (
          SELECT DISTINCT p.hashtag_id FROM {table(VideoHashtag)} p
           WHERE p.video_id = ANY(%(positives)s::bigint[])) ph
        JOIN {table(Hashtag)} h ON h.id = ph.hashtag_id AND h.video_count > 1
        CROSS JOIN LATERAL (
          SELECT o.video_id FROM {table(VideoHashtag)} o
           WHERE o.hashtag_id = ph.hashtag_id AND o.video_id <> ALL(%(positives)s::bigint[])
           ORDER BY o.created_at DESC LIMIT %(shared_per_key)s) x
        ORDER BY h.video_count, h.id LIMIT %(shared_max)s)
FROM (SELECT 1) one
LEFT JOIN LATERAL (
  SELECT vector_send(t.vector) AS vector, t.weight_total FROM {table(TasteProfile)} t
   WHERE t.user_id = %(user)s AND t.embedding_version = %(version)s AND t.weight_total > 0
) taste ON TRUE
"""


def viewer_context(
    *,
    user_id: int | None,
    embedding_version: str | None,
    recent_positives: Sequence[int],
    coengagement_limit: int,
    coengagement_decay: float = 1.0,
) -> ViewerContext:
    """Long-term taste, hidden videos, followed creators' new videos, co-engagement neighbours
    of the recent positives, their tags, and the videos sharing their sounds and hashtags - one
    query (anonymous viewers have only the last four, from their session's positives).
    `recent_positives` newest first: the k-th counts coengagement_decay^k in the item-kNN
    score, so the neighbours of what the viewer just liked lead."""
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
            "co_shrink": COENGAGEMENT_SHRINK,
            "co_decay": float(coengagement_decay),
            "shared_sounds": SHARED_SOUNDS,
            "shared_per_key": SHARED_PER_KEY,
            "shared_max": SHARED_MAX,
        },
        prepare=True,
    )[0]
    taste_raw, taste_weight, hidden, following, coengaged, liked_tags, same_sound, same_hashtag = (
        row
    )
    long_term = vector_decode(taste_raw) if embedding_version else None
    long_term_weight = float(taste_weight or 0.0) if long_term is not None else 0.0
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
        long_term_weight=long_term_weight,
        hidden_ids=set(hidden_ids),
        hidden_vectors=hidden_vectors,
        following=[int(v) for v in following or []],
        coengaged={int(row[0]): int(row[1]) for row in coengaged or []},
        coengaged_scores={int(row[0]): float(row[2]) for row in coengaged or []},
        liked_tags=set(liked_tags or []),
        same_sound=list(dict.fromkeys(int(v) for v in same_sound or [])),
        same_hashtag=_first_names(same_hashtag or []),
        hidden_complete=len(hidden_ids) < HIDDEN_MAX,
    )


def _first_names(pairs: Sequence[Sequence[str]]) -> dict[int, str]:
    """{video_id: hashtag name} from (id, name) pairs, the first (most specific) name kept."""
    names: dict[int, str] = {}
    for video_id, name in pairs:
        names.setdefault(int(video_id), name)
    return names


# What a page needs of each candidate: owner, age in hours, likes, engagement counters
# (impressions, plays, finishes) and vector. Rows come from two statements - the HNSW search
# with its results' facts, and the facts of the other sources' candidates - merged by id.
_VIDEO = table(Video)  # the quoted table name visible_where's condition refers to
_AGE_HOURS = (
    f"EXTRACT(EPOCH FROM now() - COALESCE({_VIDEO}.published_at, "
    f"{_VIDEO}.created_at))::float8 / 3600.0"
)
_COUNTERS = (
    "COALESCE((SELECT ARRAY[s.impressions, s.plays, s.finishes]::float8[] "
    f"FROM {table(VideoStats)} s "
    f"WHERE s.video_id = {_VIDEO}.id), ARRAY[0, 0, 0]::float8[])"
)
_FACT_COLUMNS = f"{_VIDEO}.id, {_VIDEO}.owner_id, {_AGE_HOURS}, {_VIDEO}.like_count::float8, "

# Counters and vectors are read only for the candidates missing from the process caches, each
# by an index lookup in a correlated subquery: a join on feed_videostats planned as a hash join
# over the whole table for a few hundred ids (measured 2 ms slower at 100k videos).
_FACTS_SQL = (
    f"SELECT {_FACT_COLUMNS}"
    f"CASE WHEN {_VIDEO}.id = ANY(%s::bigint[]) THEN {_COUNTERS} END, "
    f"CASE WHEN {_VIDEO}.id = ANY(%s::bigint[]) THEN ("
    f"SELECT vector_send(e.embedding) FROM {table(VideoEmbedding)} e "
    f"WHERE e.video_id = {_VIDEO}.id AND e.embedding_version = %s) END "
    f"FROM {_VIDEO} "
    # A copy of an earlier video (videos/duplicates.py) is never recommended: the viewer would
    # see the same thing twice.
    f"WHERE {_VIDEO}.id = ANY(%s::bigint[]) AND {_VIDEO}.duplicate_of_id IS NULL "
    f"AND ({{visible}}){{hidden}}"
)
# A viewer's not-interested videos past the HIDDEN_MAX newest, left out by the facts query
# (parameter: the user id); the newest are left out before, at no cost.
_NOT_HIDDEN = (
    f" AND NOT EXISTS (SELECT 1 FROM {table(HiddenVideo)} h "
    f"WHERE h.user_id = %s AND h.video_id = {_VIDEO}.id)"
)


class FactRow(NamedTuple):
    """One visible candidate's facts."""

    owner: int
    age_hours: float
    likes: float
    counters: tuple[float, float, float]  # impressions, plays, finishes
    vector: np.ndarray | None  # None: no vector in this version


_NO_COUNTERS = (0.0, 0.0, 0.0)


def _fact_rows(
    rows: list[tuple],
    embedding_version: str | None,
    known_counters: dict[int, tuple[float, float, float]],
    known_vectors: dict[int, np.ndarray],
) -> dict[int, FactRow]:
    """Rows of (id, owner, age, likes, counters, vector_send) as FactRows; a NULL counters or
    vector column is taken from what the process caches gave, and what was read joins them."""
    raws = {row[0]: row[5] for row in rows if row[5] is not None}
    read_vectors = dict(zip(raws, vectors_decode(list(raws.values())), strict=True))
    if read_vectors and embedding_version:
        vectors_remember(vectors=read_vectors, embedding_version=embedding_version)
    read_counters: dict[int, tuple[float, float, float]] = {}
    facts: dict[int, FactRow] = {}
    for video_id, owner, age_hours, likes, counters, _raw in rows:
        if counters is None:
            counters = known_counters.get(video_id, _NO_COUNTERS)
        else:
            counters = read_counters[video_id] = tuple(counters)
        vector = read_vectors.get(video_id)
        if vector is None:
            vector = known_vectors.get(video_id)
        facts[video_id] = FactRow(owner, age_hours, likes, counters, vector)
    stats_remember(read_counters)
    return facts


def facts_read(
    *,
    viewer: Any,
    video_ids: Sequence[int],
    embedding_version: str | None,
    vectors: dict[int, np.ndarray] | None = None,
    hidden_of: int | None = None,
) -> dict[int, FactRow]:
    """Facts of the given candidates the viewer may see (copies left out), in one query:
    counters and vectors only for those missing from the process caches (and from `vectors`,
    already read). `hidden_of`: a user whose not-interested videos are left out here too
    (those the viewer context could not list: `ViewerContext.hidden_complete`)."""
    ids = [int(v) for v in video_ids]
    if not ids:
        return {}
    known_vectors: dict[int, np.ndarray] = dict(vectors or {})
    missing_vectors: list[int] = []
    if embedding_version:
        cached, missing_vectors = cached_vectors(
            video_ids=[v for v in ids if v not in known_vectors],
            embedding_version=embedding_version,
        )
        known_vectors.update(cached)
    known_counters, missing_counters = stats_cached(ids)
    visible, visible_params = visible_where(viewer=viewer)
    rows = binary_rows(
        _FACTS_SQL.format(visible=visible, hidden=_NOT_HIDDEN if hidden_of else ""),
        [
            int_array(missing_counters),
            int_array(missing_vectors),
            embedding_version or "",
            int_array(ids),
            *visible_params,
            *([hidden_of] if hidden_of else []),
        ],
        prepare=True,
    )
    return _fact_rows(rows, embedding_version, known_counters, known_vectors)


def facts_assemble(
    *, rows: dict[int, FactRow], video_ids: Sequence[int], dim: int
) -> CandidateFacts:
    """Column arrays over the candidates that have a row, in the order of `video_ids` (a
    vector of another dimension counts as none; dim 0: the first vector's)."""
    ids = [v for v in video_ids if v in rows]
    facts = [rows[v] for v in ids]
    if dim == 0:
        dim = next((len(row.vector) for row in facts if row.vector is not None), 0)
    # Rows copied straight into the matrix: stacking them first, then copying the stack in
    # through a mask, copied every vector twice (measured 0.1 ms of a page's 0.35).
    has_vector = np.zeros(len(ids), dtype=bool)
    matrix = np.zeros((len(ids), dim), dtype=np.float32)
    for index, row in enumerate(facts):
        vector = row.vector
        if vector is not None and len(vector) == dim:
            matrix[index] = vector
            has_vector[index] = True
    numbers = np.asarray(
        [(row.age_hours, *row.counters, row.likes) for row in facts], dtype=np.float64
    ).reshape(len(ids), 5)
    return CandidateFacts(
        ids=ids,
        owners=[row.owner for row in facts],
        age_hours=numbers[:, 0],
        impressions=numbers[:, 1],
        plays=numbers[:, 2],
        finishes=numbers[:, 3],
        likes=numbers[:, 4],
        vectors=matrix,
        has_vector=has_vector,
    )


def _taste_sql(dim: int, *, with_session: bool) -> str:
    """The blended taste u as an SQL expression, up to scale (the search orders by inner
    product, which a positive scale does not change): (1-g) u_long/|u_long| + g u_sess/|u_sess|
    from the stored long-term taste and the session's, or whichever exists alone. Parameters:
    with the session: 1-g, g*u_sess/|u_sess|, user, version, u_sess/|u_sess|; without: user,
    version."""
    d = int(dim)
    long_term = (
        f"(SELECT {{taste}} FROM {table(TasteProfile)} t WHERE t.user_id = %s "
        "AND t.embedding_version = %s AND t.weight_total > 0 "
        f"AND vector_dims(t.vector) = {d} AND vector_norm(t.vector) > 1e-9)"
    )
    if not with_session:
        return long_term.format(taste="t.vector")
    blended = (
        f"t.vector * array_fill(%s::float8 / vector_norm(t.vector), ARRAY[{d}])::vector({d})"
        f" + %s::vector({d})"
    )
    return f"COALESCE({long_term.format(taste=blended)}, %s::vector({d}))"


def _nearest_sql(
    *,
    embedding_version: str,
    dim: int,
    with_session: bool,
    excluding: bool = False,
    video_where: str | None = None,
) -> str:
    """The HNSW search for the viewer's blended taste: (video_id, vector_send), nearest first.
    `excluding` leaves out given videos inside the scan (an iterative scan keeps going until
    the limit is met by others), as does `video_where`, a condition on the videos table (by its
    quoted name) every row must meet. Parameters: the taste's (`_taste_sql`), with `excluding`
    the excluded ids (an array literal), `video_where`'s, then the limit."""
    extra = "AND (SELECT v FROM q) IS NOT NULL"
    if excluding:
        extra += " AND e.video_id <> ALL(%s::bigint[])"
    if video_where is not None:
        videos = table(Video)
        extra += (
            f" AND EXISTS (SELECT 1 FROM {videos} WHERE {videos}.id = e.video_id "
            f"AND ({video_where}))"
        )
    return (
        f"WITH q AS MATERIALIZED (SELECT {_taste_sql(dim, with_session=with_session)} AS v) "
        + nearest_scan_sql(
            embedding_version=embedding_version,
            dim=dim,
            columns="e.video_id, vector_send(e.embedding)",
            query_sql="(SELECT v FROM q)",
            limit_sql="%s",
            extra_where=extra,
        )
    )


class NearestSearch:
    """The viewer's HNSW candidates, read on a side connection (see `nearest_start`)."""

    def __init__(self, read: SideRead | None, embedding_version: str) -> None:
        self._read = read
        self._version = embedding_version

    def result(self) -> tuple[list[int], dict[int, np.ndarray]]:
        """(candidate ids, nearest first, visible or not; their vectors)."""
        if self._read is None:
            return [], {}
        rows = self._read.result()
        ids = [row[0] for row in rows]
        vectors = dict(zip(ids, vectors_decode([row[1] for row in rows]), strict=True))
        vectors_remember(vectors=vectors, embedding_version=self._version)
        return ids, vectors


def nearest_start(
    *,
    user_id: int | None,
    session: np.ndarray | None,
    gamma: float,
    embedding_version: str,
    dim: int,
    limit: int,
    excluded: Sequence[int] = (),
    inline: bool = False,
    video_where: tuple[str, list] | None = None,
) -> NearestSearch:
    """Start the pgvector search for the viewer's taste u = blend(u_long, u_sess, gamma) on a
    side connection (see tiktok.db.side_reads): the long-term taste is read inside the statement,
    so the search need not wait for the viewer-context query. The HNSW scan's rows carry the
    vectors (reading them there measured cheaper than a lookup per candidate later). Videos in
    `excluded`, and those not meeting `video_where` (`videos.visibility.visible_where`), are
    skipped inside the scan; `inline` runs it on the request's own connection when `.result()`
    is asked for. It finds nothing when the viewer has no taste in this version."""
    if user_id is None and session is None:
        return NearestSearch(None, embedding_version)
    with_session = session is not None and float(np.linalg.norm(session)) > EPSILON
    statement = _nearest_sql(
        embedding_version=embedding_version,
        dim=dim,
        with_session=with_session,
        excluding=bool(excluded),
        video_where=video_where[0] if video_where is not None else None,
    )
    params: list[Any]
    if with_session:
        unit = np.asarray(session, dtype=np.float32) / np.float32(np.linalg.norm(session))
        params = [
            1.0 - gamma,
            vector_literal(gamma * unit),
            user_id,
            embedding_version,
            vector_literal(unit),
        ]
    else:
        params = [user_id, embedding_version]
    if excluded:
        params.append(int_array(excluded))
    if video_where is not None:
        params.extend(video_where[1])
    params.append(int(limit))
    if inline:
        return NearestSearch(
            SideRead(lambda conn: binary_read(conn, statement, params), None), embedding_version
        )
    return NearestSearch(
        side_read(lambda conn: binary_read(conn, statement, params)), embedding_version
    )


def version_dim(embedding_version: str) -> int | None:
    """The vector dimension of an embedding version (None while it has no vectors)."""
    row = binary_rows(
        f"SELECT dim FROM {table(VideoEmbedding)} WHERE embedding_version = %s LIMIT 1",
        [embedding_version],
    )
    return int(row[0][0]) if row else None
