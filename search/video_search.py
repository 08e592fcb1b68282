"""Video search: three rankings fused (full-text, trigram, semantic), filtered by who may see
each video, paged with a signed cursor.

- `query_embed(q)` -> QueryVector: the query's vector, or why there is none
- `video_rankings(...)` -> each path's ranked ids (the evaluator and benchmark call it too)
- `video_search(*, viewer, q, tag, cursor, limit)` -> one page: {items, next_cursor, method,
  semantic, degraded}
"""

from __future__ import annotations

import json
import logging
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connection

from embedder_service.client import EmbedderError
from feed.state import redis_client
from search.cursors import search_cursor_encode, search_cursor_read
from search.documents import SIMPLE_CONFIG, TEXT_SEARCH_CONFIGS
from search.fusion import rrf_fuse
from search.models import SearchWord, VideoDocument
from search.query_text import cjk_query, like_prefix, query_split_negations, query_words
from tagging.models import Tag, VideoTag
from tiktok.db.sql import table
from tiktok.embedder import EMBEDDER_QUICK_TIMEOUT_SECONDS, embedder_client
from videos.cards import cards_for_ids
from videos.models import Video
from videos.vector_index import nearest_videos
from videos.versions import active_embedding_version
from videos.visibility import visible_videos, visible_where

logger = logging.getLogger(__name__)

SEARCH_INSTRUCTION = "Given a search query, retrieve short videos that match it"
ALL_PATHS = ("keyword", "trigram", "semantic")
DEGRADED_EMBEDDER = "embedder_unavailable"
DEGRADED_VERSION = "embedding_version_mismatch"
DEGRADED_NO_VECTORS = "no_embedded_videos"
# The typo path corrects at most this many words of a query, each to at most this many.
TYPO_WORDS_MAX = 8
TYPO_CANDIDATES_PER_WORD = 3


@dataclass(frozen=True)
class QueryVector:
    vector: list[float] | None
    version: str | None
    # Why there is no vector (None when there is one).
    degraded: str | None


def query_embed(q: str) -> QueryVector:
    """The query embedded for the active embedding version, or the reason semantic search is
    off: the embedder is down, or it embeds with another version than the stored vectors."""
    version = active_embedding_version()
    try:
        with embedder_client(timeout_s=EMBEDDER_QUICK_TIMEOUT_SECONDS) as client:
            result = client.embed_texts([q], instruction=SEARCH_INSTRUCTION)
    except (EmbedderError, OSError) as exc:
        logger.warning("search runs without its semantic path: %s", exc)
        return QueryVector(None, version, DEGRADED_EMBEDDER)
    if not version:
        return QueryVector(None, None, DEGRADED_NO_VECTORS)
    if result.embedding_version != version:
        logger.warning("embedder version %s is not the active one", result.embedding_version)
        return QueryVector(None, version, DEGRADED_VERSION)
    return QueryVector(result.embeddings[0], version, None)


def _tagged_sql() -> str:
    """A condition on the videos table: the video carries the active tag of slug %s."""
    videos = table(Video)
    return (
        f"EXISTS (SELECT 1 FROM {table(VideoTag)} vt_f JOIN {table(Tag)} t_f "
        f"ON t_f.id = vt_f.tag_id WHERE vt_f.video_id = {videos}.id AND t_f.slug = %s "
        "AND t_f.is_active)"
    )


def _tsquery_sql() -> str:
    """The query as a tsquery in every configuration (websearch syntax: quotes, OR, minus;
    it accepts any input without a syntax error)."""
    return " || ".join(f"websearch_to_tsquery('{config}', %s)" for config in TEXT_SEARCH_CONFIGS)


def _fulltext_ranking(
    *, tsquery_sql: str, tsquery_params: list, where: tuple[str, list], limit: int
) -> list[int]:
    """Visible videos whose document matches the tsquery, best ts_rank_cd first (the GIN
    index finds them; length-normalised so a long transcript does not win by volume)."""
    condition, params = where
    videos, docs = table(Video), table(VideoDocument)
    # The tsquery is written out twice rather than taken from a CTE: as an expression of
    # constants the planner can use the GIN index for it. A common word matches thousands of
    # videos: at most SEARCH_FULLTEXT_MATCHES_MAX of them are ranked, so the cost is bounded.
    statement = (
        f"SELECT m.video_id FROM (SELECT d.video_id, d.document FROM {docs} d "
        f"JOIN {videos} ON {videos}.id = d.video_id "
        f"WHERE d.document @@ ({tsquery_sql}) AND ({condition}) LIMIT %s) m "
        f"ORDER BY ts_rank_cd(m.document, ({tsquery_sql}), 1) DESC, m.video_id DESC LIMIT %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            statement,
            [
                *tsquery_params,
                *params,
                settings.SEARCH_FULLTEXT_MATCHES_MAX,
                *tsquery_params,
                limit,
            ],
        )
        return [row[0] for row in cursor.fetchall()]


def _query_tsquery(q: str) -> tuple[str, list]:
    """The query as typed (websearch syntax) as a tsquery in every configuration, or with its
    Chinese, Japanese and Korean runs as the pairs of characters documents hold: SQL, params."""
    tsquery_sql, params = _tsquery_sql(), [q] * len(TEXT_SEARCH_CONFIGS)
    if (paired := cjk_query(q)) is not None:
        tsquery_sql += f" || websearch_to_tsquery('{SIMPLE_CONFIG}', %s)"
        params.append(paired)
    return tsquery_sql, params


def keyword_ranking(*, q: str, where: tuple[str, list], limit: int) -> list[int]:
    """Visible videos whose document matches the query as typed (websearch syntax), or with
    its Chinese, Japanese and Korean runs as the pairs of characters documents hold."""
    tsquery_sql, params = _query_tsquery(q)
    return _fulltext_ranking(
        tsquery_sql=tsquery_sql, tsquery_params=params, where=where, limit=limit
    )


def word_corrections(words: Sequence[str]) -> list[str]:
    """Dictionary words a query's words may have meant: the nearest spellings (pg_trgm
    similarity at least SEARCH_TYPO_SIMILARITY over the small SearchWord table), and the
    shortest completions of the last word (what is being typed). A word with no close
    spelling (a paraphrase, say) is left to the other paths rather than guessed at."""
    typed = [w for w in dict.fromkeys(words) if len(w) >= 3][-TYPO_WORDS_MAX:]
    if not typed:
        return []
    dictionary = table(SearchWord)
    # No match placeholder for the words before the last: only the last one is completed.
    prefixes = ["" for _ in typed[:-1]] + [like_prefix(typed[-1])]
    statement = (
        "SELECT DISTINCT c.word FROM unnest(%s::text[], %s::text[]) AS q(w, p), LATERAL ("
        f"(SELECT sw.word FROM {dictionary} sw WHERE sw.word %% q.w "
        "AND similarity(sw.word, q.w) >= %s "
        f"ORDER BY similarity(sw.word, q.w) DESC LIMIT {TYPO_CANDIDATES_PER_WORD}) UNION ALL "
        f"(SELECT sw.word FROM {dictionary} sw WHERE q.p <> '' AND sw.word LIKE q.p "
        f"ORDER BY length(sw.word), sw.word LIMIT {TYPO_CANDIDATES_PER_WORD})) c"
    )
    with connection.cursor() as cursor:
        cursor.execute(statement, [typed, prefixes, settings.SEARCH_TYPO_SIMILARITY])
        return [row[0] for row in cursor.fetchall()]


def _tsquery_any(words: Sequence[str]) -> str:
    """A tsquery text matching any of the words (each quoted as one lexeme)."""
    return " | ".join("'" + w.replace("\\", "\\\\").replace("'", "''") + "'" for w in words)


def trigram_ranking(*, q: str, where: tuple[str, list], limit: int) -> list[int]:
    """Visible videos holding a word like one of the query's (typos, prefixes): the words are
    corrected against the dictionary by trigram, then found through the full-text index.
    Long queries skip this path."""
    words = query_words(q)
    if not words or len(words) > settings.SEARCH_TRIGRAM_MAX_CHARS:
        return []
    corrected = word_corrections(words.split())
    if not corrected:
        return []
    return _fulltext_ranking(
        tsquery_sql=f"to_tsquery('{SIMPLE_CONFIG}', %s)",
        tsquery_params=[_tsquery_any(corrected)],
        where=where,
        limit=limit,
    )


def semantic_ranking(
    *, vector: Sequence[float], version: str, where: tuple[str, list], limit: int
) -> list[int]:
    """Visible videos of the active version nearest to the query vector (the HNSW index)."""
    if settings.HNSW_ITERATIVE_SCAN == "off":  # a scan then stops at ef_search rows
        limit = min(limit, settings.HNSW_EF_SEARCH)
    return [
        video_id
        for video_id, _ in nearest_videos(
            query=vector, embedding_version=version, limit=limit, video_where=where
        )
    ]


def search_where(*, viewer: Any, tag: str = "") -> tuple[str, list]:
    """Who may see a video, and the tag filter when given: a condition on the videos table."""
    condition, params = visible_where(viewer=viewer)
    if tag:
        return f"({condition}) AND {_tagged_sql()}", [*params, tag]
    return condition, list(params)


def video_rankings(
    *,
    q: str,
    where: tuple[str, list],
    query_vector: QueryVector,
    paths: Sequence[str] = ALL_PATHS,
    candidates: int | None = None,
) -> dict[str, list[int]]:
    """Each requested path's ranked video ids (a path without input gives an empty list)."""
    limit = candidates or settings.SEARCH_VIDEO_CANDIDATES
    rankings: dict[str, list[int]] = {}
    positive, excluded = query_split_negations(q)
    fuzzy_where = _excluding(where, excluded)
    if "keyword" in paths:
        # The exclusions apply here too: the query's tsquery ORs its configurations, and in
        # those that keep a Chinese, Japanese or Korean run whole, "-run" excluded nothing.
        rankings["keyword"] = keyword_ranking(q=q, where=fuzzy_where, limit=limit)
    if "trigram" in paths:
        rankings["trigram"] = trigram_ranking(q=positive, where=fuzzy_where, limit=limit)
    if "semantic" in paths and query_vector.vector is not None and query_vector.version:
        rankings["semantic"] = semantic_ranking(
            vector=query_vector.vector,
            version=query_vector.version,
            where=fuzzy_where,
            limit=limit,
        )
    return rankings


def _excluding(where: tuple[str, list], excluded: list[str]) -> tuple[str, list]:
    """`where` and: the video's document has none of the excluded words."""
    if not excluded:
        return where
    condition, params = where
    videos, docs = table(Video), table(VideoDocument)
    # An excluded Chinese, Japanese or Korean run is matched as its pairs, as the query's are.
    tsquery_sql, tsquery_params = _query_tsquery(" or ".join(excluded))
    return (
        f"({condition}) AND NOT EXISTS (SELECT 1 FROM {docs} x_d WHERE x_d.video_id = "
        f"{videos}.id AND x_d.document @@ ({tsquery_sql}))",
        [*params, *tsquery_params],
    )


def fused_ranking(rankings: dict[str, list[int]]) -> list[int]:
    return rrf_fuse(
        [rankings[path] for path in ALL_PATHS if path in rankings], settings.SEARCH_RRF_K
    )


def _tag_listing(*, viewer: Any, tag: str, offset: int, limit: int) -> list[int]:
    return list(
        VideoTag.objects.filter(
            tag__slug=tag, tag__is_active=True, video__in=visible_videos(viewer=viewer)
        )
        .order_by("-score", "-video_id")
        .values_list("video_id", flat=True)[offset : offset + limit + 1]
    )


def video_search(
    *,
    viewer: Any,
    q: str,
    tag: str,
    cursor: str | None,
    limit: int,
    query_vector: QueryVector | None = None,
) -> dict[str, Any]:
    """One page of videos for a normalised query (and/or a tag slug). `method` is "fused"
    (all three paths), "text" (full-text and trigram only: `degraded` says why) or "tag" (a
    tag's videos, no query); `semantic` says whether the semantic path ran. `query_vector`
    is the query already embedded (the benchmark's, to time the rest apart)."""
    key = f"videos\x00{q}\x00{tag}"
    offset, token = search_cursor_read(cursor, key=key)
    degraded = None
    next_offset = offset + limit
    if not q:
        ranked = _tag_listing(viewer=viewer, tag=tag, offset=offset, limit=limit)
        page_ids, more = ranked[:limit], len(ranked) > limit
        method, semantic, token = "tag", False, None
    else:
        stored = _ranked_read(token) if offset else None
        if stored is None:
            if query_vector is None:
                query_vector = query_embed(query_split_negations(q)[0] or q)
            rankings = video_rankings(
                q=q, where=search_where(viewer=viewer, tag=tag), query_vector=query_vector
            )
            fused = fused_ranking(rankings)
            semantic = "semantic" in rankings
            degraded = query_vector.degraded
            token = (
                _ranked_store(fused, semantic, degraded) if len(fused) > offset + limit else None
            )
            page_ids, more = fused[offset : offset + limit], len(fused) > offset + limit
        else:
            fused, semantic, degraded = stored
            page_ids, next_offset = _visible_from(fused, offset=offset, limit=limit, viewer=viewer)
            more = next_offset < len(fused)
        method = "fused" if semantic else "text"
    return {
        "items": cards_for_ids(video_ids=page_ids, viewer=viewer),
        "next_cursor": (
            search_cursor_encode(offset=next_offset, key=key, token=token) if more else None
        ),
        "method": method,
        "semantic": semantic,
        "degraded": degraded,
    }


# Reads of a stored ranking one later page may make to fill itself past videos the viewer
# may not see; a page still short after them is served short, its cursor past what was read.
STORED_PAGE_READS = 4


def _visible_from(
    fused: list[int], *, offset: int, limit: int, viewer: Any
) -> tuple[list[int], int]:
    """The next `limit` ids of a stored ranking, from `offset`, that this viewer may see now,
    and the offset after the last one read. Every id served is checked: the ranking was made
    for the viewer of page 1 (a cursor may be replayed by someone else) as things were then (a
    video made private, hidden or blocked since)."""
    page: list[int] = []
    position = offset
    for _ in range(STORED_PAGE_READS):
        if len(page) >= limit or position >= len(fused):
            break
        chunk = fused[position : position + 2 * (limit - len(page))]
        shown = set(visible_videos(viewer=viewer).filter(pk__in=chunk).values_list("pk", flat=True))
        for pk in chunk:
            position += 1
            if pk in shown:
                page.append(pk)
                if len(page) == limit:
                    break
    return page, position


def _ranked_key(token: str) -> str:
    return f"search:ranked:{token}"


def _ranked_store(fused: list[int], semantic: bool, degraded: str | None) -> str:
    """Keep a search's fused ranking for its later pages (SEARCH_RANKED_KEEP_SECONDS); the
    token the cursor carries. Each page ranked afresh moved with every write to a matching
    row (a counted play, a rebuilt document) and with the embedder's answers, so offset pages
    repeated and skipped videos."""
    token = secrets.token_hex(12)
    redis_client().set(
        _ranked_key(token),
        json.dumps({"ids": fused, "semantic": semantic, "degraded": degraded}),
        ex=settings.SEARCH_RANKED_KEEP_SECONDS,
    )
    return token


def _ranked_read(token: str | None) -> tuple[list[int], bool, str | None] | None:
    """The ranking a first page stored (None: no token, or it is gone: ranked afresh)."""
    if not token:
        return None
    raw = redis_client().get(_ranked_key(token))
    if raw is None:
        return None
    data = json.loads(raw)
    return [int(pk) for pk in data["ids"]], bool(data["semantic"]), data["degraded"]
