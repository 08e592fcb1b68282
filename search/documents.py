"""Writes each video's search document (a weighted tsvector) from its caption, hashtags, tag
names and transcript, and adds their words to the typo dictionary: one statement per batch,
so a refresh is one round trip."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from django.db import connection

from search.models import WORD_MAX_CHARS, SearchWord, VideoDocument
from search.query_text import CJK_RUN
from tagging.models import Tag, VideoTag
from tiktok.db.batched import rows_delete_by_id_batches
from tiktok.db.sql import int_array, table
from videos.models import Hashtag, Video, VideoHashtag

# Captions are multilingual: 'simple' keeps every word (any language), 'english' adds stems so
# "cats" finds "cat". A query matches through either (search.video_search). Both fold accents
# first (the unaccent dictionary; search migration 0003), on documents and queries alike, so
# "cafe" finds "Café" and "Malaga" finds "Málaga".
SIMPLE_CONFIG = "tiktok_simple"
TEXT_SEARCH_CONFIGS = ("tiktok_english", SIMPLE_CONFIG)
BACKFILL_BATCH = 2000
# Dictionary words checked per statement of search_words_prune.
PRUNE_BATCH = 1000


def weighted_tsvector_sql(expression: str, weight: str) -> str:
    """`expression` (SQL text) as a tsvector in every configuration, with `weight`."""
    return " || ".join(
        f"setweight(to_tsvector('{config}', {expression}), '{weight}')"
        for config in TEXT_SEARCH_CONFIGS
    )


def _refresh_sql() -> str:
    hashtags = (
        f"SELECT string_agg(h.name, ' ') AS names FROM {table(VideoHashtag)} vh "
        f"JOIN {table(Hashtag)} h ON h.id = vh.hashtag_id WHERE vh.video_id = v.id"
    )
    tags = (
        f"SELECT string_agg(t.name, ' ') AS names FROM {table(VideoTag)} vt "
        f"JOIN {table(Tag)} t ON t.id = vt.tag_id WHERE vt.video_id = v.id AND t.is_active"
    )
    # NFKC as queries are (search.query_text): a Mac's decomposed "Café" and full-width "ｃａｔ"
    # are the words people type.
    head = "SELECT normalize(v.caption, NFKC) || ' ' || coalesce(hs.names, '') AS text"
    # Each Chinese, Japanese or Korean run of the caption and hashtags as its overlapping pairs
    # of characters, in order (a query's run is the phrase of its pairs: query_text.cjk_query),
    # then its characters (a query of one character).
    runs = f"regexp_matches(hd.text, '{CJK_RUN}', 'g') WITH ORDINALITY AS r(m, run)"
    cjk = (
        "SELECT coalesce(string_agg(g, ' ' ORDER BY run, kind, i), '') AS text FROM ("
        f"SELECT r.run, 0 AS kind, i, substr(r.m[1], i, 2) AS g FROM {runs}, "
        "generate_series(1, greatest(char_length(r.m[1]) - 1, 1)) AS i UNION ALL "
        f"SELECT r.run, 1, i, substr(r.m[1], i, 1) FROM {runs}, "
        "generate_series(1, char_length(r.m[1])) AS i WHERE char_length(r.m[1]) > 1) grams"
    )
    tag_names = "coalesce(ts.names, '')"
    document = " || ".join(
        [
            weighted_tsvector_sql("hd.text", "A"),
            f"setweight(to_tsvector('{SIMPLE_CONFIG}', cj.text), 'A')",
            weighted_tsvector_sql(tag_names, "B"),
            weighted_tsvector_sql("v.transcript", "C"),
        ]
    )
    # The dictionary gets the words of the caption, hashtags and tag names (not transcripts:
    # the typo path is for what people see written).
    short_text = f"hd.text || ' ' || {tag_names}"
    return (
        f"WITH source AS (SELECT v.id, {document} AS document, {short_text} AS short_text "
        f"FROM {table(Video)} v "
        f"LEFT JOIN LATERAL ({hashtags}) hs ON true LEFT JOIN LATERAL ({tags}) ts ON true "
        f"CROSS JOIN LATERAL ({head}) hd CROSS JOIN LATERAL ({cjk}) cj "
        "WHERE v.id = ANY(%s::bigint[])), "
        f"words AS (INSERT INTO {table(SearchWord)} (word) "
        "SELECT DISTINCT w FROM source, "
        "unnest(tsvector_to_array(to_tsvector('simple', source.short_text))) AS w "
        f"WHERE length(w) BETWEEN 2 AND {WORD_MAX_CHARS} ON CONFLICT (word) DO NOTHING) "
        f"INSERT INTO {table(VideoDocument)} (video_id, document, updated_at) "
        "SELECT id, document, now() FROM source "
        "ON CONFLICT (video_id) DO UPDATE SET document = EXCLUDED.document, "
        "updated_at = EXCLUDED.updated_at"
    )


def documents_refresh(*, video_ids: Sequence[int]) -> int:
    """Rebuild the documents of these videos (ids of deleted videos are skipped)."""
    if not video_ids:
        return 0
    with connection.cursor() as cursor:
        cursor.execute(_refresh_sql(), [int_array(video_ids)])
        return cursor.rowcount


def documents_backfill(
    *, batch_size: int = BACKFILL_BATCH, progress: Callable[[int], None] | None = None
) -> int:
    """Rebuild every video's document, in batches of ids (for a new index or after a bulk
    re-tag, which announces nothing)."""
    done, last_id = 0, 0
    while True:
        ids = list(
            Video.objects.filter(pk__gt=last_id)
            .order_by("pk")
            .values_list("pk", flat=True)[:batch_size]
        )
        if not ids:
            return done
        done += documents_refresh(video_ids=ids)
        last_id = ids[-1]
        if progress is not None:
            progress(done)


def search_words_prune(*, batch_size: int = PRUNE_BATCH) -> int:
    """Delete dictionary words no document holds any more (their videos or accounts were
    deleted, their captions edited); returns how many. In batches of ids, each its own short
    statement, so the typo path and the documents' inserts never wait long on the table. A
    word a transcript still holds is kept (documents do not say which part a word came from)."""
    return rows_delete_by_id_batches(
        model=SearchWord,
        condition=f"NOT EXISTS (SELECT 1 FROM {table(VideoDocument)} d "
        f"WHERE d.document @@ plainto_tsquery('{SIMPLE_CONFIG}', t.word))",
        params=[],
        batch_size=batch_size,
    )
