"""Per-embedding-version HNSW indexes over video vectors, and the nearest-neighbour query.

Vectors of every version share one dimensionless `vector` column. Each version gets a partial
HNSW index on (embedding::vector(D)) WHERE embedding_version = '<version>' - pgvector's
documented pattern for mixed dimensions - and queries repeat that expression and predicate
literally so the planner can use the index. Vectors are L2-normalised, so inner product is
cosine similarity; `<#>` returns the negated inner product.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from django.db import connection
from psycopg import sql

from tiktok.db.sql import vector_literal
from videos.models import VideoEmbedding

HNSW_M = 16
HNSW_EF_CONSTRUCTION = 64
TABLE = VideoEmbedding._meta.db_table


def hnsw_index_name(embedding_version: str) -> str:
    digest = hashlib.sha1(embedding_version.encode()).hexdigest()[:12]
    return f"video_emb_hnsw_{digest}"


def _vector_expr(dim: int) -> sql.Composable:
    return sql.SQL("(embedding::vector({dim}))").format(dim=sql.Literal(int(dim)))


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
        "CREATE INDEX IF NOT EXISTS {name} ON {table} USING hnsw ({expr} vector_ip_ops) "
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
    expression of the query vector) first, LIMIT `limit_sql` - a scan of the version's HNSW
    index. The version and dimension are inlined so the planner matches the partial index's
    predicate and expression; `vector_expr(dim)` is the indexed expression. `extra_where` is
    an `AND ...` condition."""
    return (
        f"SELECT {columns} FROM {TABLE} e "
        f"WHERE e.embedding_version = {sql.Literal(embedding_version).as_string(None)} "
        f"{extra_where} ORDER BY {vector_expr(dim)} <#> {query_sql} LIMIT {limit_sql}"
    )


def vector_expr(dim: int, alias: str = "e") -> str:
    """The indexed expression, on a row of videos_videoembedding under `alias`."""
    return f"{alias}.embedding::vector({int(dim)})"


def nearest_sql(*, embedding_version: str, dim: int) -> str:
    """SQL for the top-N (video_id, similarity) of one version, nearest first.

    Parameters: %(query)s (the query vector as text '[...]') and %(limit)s."""
    query = f"%(query)s::vector({int(dim)})"
    return nearest_scan_sql(
        embedding_version=embedding_version,
        dim=dim,
        columns=f"e.video_id, -({vector_expr(dim)} <#> {query}) AS similarity",
        query_sql=query,
        limit_sql="%(limit)s",
    )


def nearest_videos(
    *, query: Sequence[float], embedding_version: str, limit: int
) -> list[tuple[int, float]]:
    """The `limit` videos of a version whose vectors are closest to `query`, with cosine."""
    statement = nearest_sql(embedding_version=embedding_version, dim=len(query))
    with connection.cursor() as cursor:
        cursor.execute(statement, {"query": vector_literal(query), "limit": limit})
        return [(int(video_id), float(sim)) for video_id, sim in cursor.fetchall()]
