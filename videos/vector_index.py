"""Per-embedding-version HNSW indexes over video vectors, and the nearest-neighbour query.

Vectors of every version share one dimensionless `vector` column (full float32). Each version
gets a partial HNSW index on (embedding::halfvec(D)) WHERE embedding_version = '<version>' -
pgvector's documented pattern for mixed dimensions - and queries repeat that expression and
predicate literally so the planner can use the index. The index holds half-precision copies: at
100k 384-d videos it is 112 MB instead of 195 MB, with the same recall of the top 300 against an
exact scan (0.840 against 0.841, docs/feed-quality.md); candidates are then re-scored on the full
vectors. Vectors are L2-normalised, so inner product is cosine similarity; `<#>` returns the
negated inner product.

With pgvector 0.8's iterative index scans (hnsw.iterative_scan, set per connection from
HNSW_ITERATIVE_SCAN), a search with a filter keeps scanning until LIMIT rows pass it instead of
stopping at ef_search rows.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from django.db import connection
from psycopg import sql

from tiktok.db.sql import vector_literal
from videos.models import Video, VideoEmbedding

HNSW_M = 16
HNSW_EF_CONSTRUCTION = 64
TABLE = VideoEmbedding._meta.db_table


def _digest(embedding_version: str) -> str:
    return hashlib.sha1(embedding_version.encode()).hexdigest()[:12]


def hnsw_index_name(embedding_version: str) -> str:
    return f"video_emb_hnsw_half_{_digest(embedding_version)}"


def legacy_hnsw_index_name(embedding_version: str) -> str:
    """The full-precision index earlier versions built (dropped once the halfvec one exists)."""
    return f"video_emb_hnsw_{_digest(embedding_version)}"


def _vector_expr(dim: int) -> sql.Composable:
    return sql.SQL("(embedding::halfvec({dim}))").format(dim=sql.Literal(int(dim)))


def hnsw_index_exists(*, embedding_version: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM pg_indexes WHERE tablename = %s AND indexname = %s",
            [TABLE, hnsw_index_name(embedding_version)],
        )
        return cursor.fetchone() is not None


def hnsw_index_ensure(*, embedding_version: str, dim: int) -> bool:
    """Create the partial HNSW index for a version if missing; True when it was created.

    Build it after a bulk load, not before: inserting into an HNSW index row by row is far
    slower than building it once over the loaded rows.
    """
    if hnsw_index_exists(embedding_version=embedding_version):
        return False
    statement = sql.SQL(
        "CREATE INDEX IF NOT EXISTS {name} ON {table} USING hnsw ({expr} halfvec_ip_ops) "
        "WITH (m = {m}, ef_construction = {efc}) WHERE embedding_version = {version}"
    ).format(
        name=sql.Identifier(hnsw_index_name(embedding_version)),
        table=sql.Identifier(TABLE),
        expr=_vector_expr(dim),
        m=sql.Literal(HNSW_M),
        efc=sql.Literal(HNSW_EF_CONSTRUCTION),
        version=sql.Literal(embedding_version),
    )
    with connection.cursor() as cursor:
        cursor.execute(statement.as_string(cursor.connection))
        legacy = sql.SQL("DROP INDEX IF EXISTS {name}").format(
            name=sql.Identifier(legacy_hnsw_index_name(embedding_version))
        )
        cursor.execute(legacy.as_string(cursor.connection))
        # Fresh statistics, or the planner may prefer a btree scan + sort after a bulk load.
        cursor.execute(f"ANALYZE {TABLE}")
    return True


def nearest_scan_sql(
    *,
    embedding_version: str,
    dim: int,
    columns: str,
    query_sql: str,
    limit_sql: str,
    extra_where: str = "",
) -> str:
    """SELECT `columns` (on alias `e`) of one version's videos, nearest to `query_sql` (an SQL
    expression of type vector) first, LIMIT `limit_sql` - a scan of the version's HNSW index.
    The version and dimension are inlined so the planner matches the partial index's predicate
    and expression; `vector_expr(dim)` is the indexed expression. `extra_where` is an
    `AND ...` condition (with iterative scans the index keeps scanning until LIMIT rows pass)."""
    return (
        f"SELECT {columns} FROM {TABLE} e "
        f"WHERE e.embedding_version = {_version_literal(embedding_version)} "
        f"{extra_where} ORDER BY {vector_expr(dim)} <#> {query_expr(query_sql, dim)} "
        f"LIMIT {limit_sql}"
    )


def _version_literal(embedding_version: str) -> str:
    """The version as an SQL literal inside a statement run with parameters: a `%` in it (a
    free-text model tag) was read as a placeholder and failed every nearest-neighbour query."""
    return sql.Literal(embedding_version).as_string(None).replace("%", "%%")


def vector_expr(dim: int, alias: str = "e") -> str:
    """The indexed expression, on a row of the embeddings table under `alias`."""
    return f"{alias}.embedding::halfvec({int(dim)})"


def query_expr(query_sql: str, dim: int) -> str:
    """A query vector (an SQL expression of type vector) as the index compares it."""
    return f"({query_sql})::halfvec({int(dim)})"


def nearest_sql(*, embedding_version: str, dim: int) -> str:
    """SQL for the top-N (video_id, similarity) of one version, nearest first; the similarity
    is computed on the full-precision vectors.

    Parameters: %(query)s (the query vector as text '[...]') and %(limit)s."""
    d = int(dim)
    query = f"%(query)s::vector({d})"
    return nearest_scan_sql(
        embedding_version=embedding_version,
        dim=dim,
        columns=f"e.video_id, -(e.embedding::vector({d}) <#> {query}) AS similarity",
        query_sql=query,
        limit_sql="%(limit)s",
    )


def nearest_videos(
    *,
    query: Sequence[float],
    embedding_version: str,
    limit: int,
    video_where: tuple[str, list] | None = None,
) -> list[tuple[int, float]]:
    """The `limit` videos of a version whose vectors are closest to `query`, with cosine.

    `video_where` is an SQL condition on the videos table (by its quoted name, %s parameters;
    e.g. videos.visibility.visible_where) that every result must meet. It is checked inside the
    index scan, so with iterative scans the `limit` nearest videos that meet it come back however
    many nearer ones do not (without, at most ef_search rows are examined)."""
    if video_where is None:
        statement = nearest_sql(embedding_version=embedding_version, dim=len(query))
        params: dict | list = {"query": vector_literal(query), "limit": limit}
    else:
        d = int(len(query))
        condition, condition_params = video_where
        videos = connection.ops.quote_name(Video._meta.db_table)
        statement = nearest_scan_sql(
            embedding_version=embedding_version,
            dim=d,
            columns=f"e.video_id, -(e.embedding::vector({d}) <#> %s::vector({d}))",
            query_sql=f"%s::vector({d})",
            limit_sql="%s",
            extra_where=(
                f"AND EXISTS (SELECT 1 FROM {videos} WHERE {videos}.id = e.video_id "
                f"AND ({condition}))"
            ),
        )
        literal = vector_literal(query)
        params = [literal, *condition_params, literal, limit]
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        rows = [(int(video_id), float(sim)) for video_id, sim in cursor.fetchall()]
    # A relaxed-order iterative scan may return rows slightly out of order.
    return sorted(rows, key=lambda row: -row[1])
