"""pgvector through the ORM and raw SQL: extension from a migration, round trip, HNSW search."""

import numpy as np
import pytest
from django.db import connection

from tests.factories import TEST_EMBEDDING_VERSION, VideoEmbeddingFactory, unit_vector
from tests.support.planner import PREFER_INDEX, RESET_PREFERENCE
from videos.models import VideoEmbedding
from videos.vector_index import hnsw_index_ensure, hnsw_index_name, nearest_sql, nearest_videos

pytestmark = pytest.mark.django_db


def test_vector_extension_is_created_by_migrations():
    with connection.cursor() as cursor:
        cursor.execute("SELECT extversion FROM pg_extension WHERE extname = 'vector'")
        version = cursor.fetchone()[0]
    assert tuple(int(part) for part in version.split(".")[:2]) >= (0, 8)


def test_vector_round_trips_through_the_orm():
    vector = unit_vector(7)
    stored = VideoEmbeddingFactory(embedding=vector)
    loaded = VideoEmbedding.objects.get(pk=stored.pk)
    assert np.allclose(np.asarray(loaded.embedding), vector, atol=1e-6)


def test_nearest_videos_returns_closest_first_with_cosine_similarity():
    query = unit_vector(1)
    near = np.asarray(query) + 0.05 * np.asarray(unit_vector(2))
    near = (near / np.linalg.norm(near)).tolist()
    far = (-np.asarray(query)).tolist()
    e_near = VideoEmbeddingFactory(embedding=near)
    e_far = VideoEmbeddingFactory(embedding=far)
    e_same = VideoEmbeddingFactory(embedding=query)

    result = nearest_videos(query=query, embedding_version=TEST_EMBEDDING_VERSION, limit=3)

    assert [video_id for video_id, _ in result] == [
        e_same.video_id,
        e_near.video_id,
        e_far.video_id,
    ]
    assert result[0][1] == pytest.approx(1.0, abs=1e-5)
    assert result[2][1] == pytest.approx(-1.0, abs=1e-5)


def test_versions_of_other_dimensions_live_side_by_side_and_are_never_mixed():
    VideoEmbeddingFactory(embedding=unit_vector(3, dim=16), embedding_version="other:16:v1")
    own = VideoEmbeddingFactory(embedding=unit_vector(4))
    result = nearest_videos(
        query=unit_vector(4), embedding_version=TEST_EMBEDDING_VERSION, limit=10
    )
    assert [video_id for video_id, _ in result] == [own.video_id]


@pytest.mark.django_db(transaction=True)
def test_partial_hnsw_index_is_built_and_used_by_the_nearest_query():
    for seed in range(200):
        VideoEmbeddingFactory(embedding=unit_vector(seed))
    with connection.cursor() as cursor:  # other tests may have built it already
        cursor.execute(f"DROP INDEX IF EXISTS {hnsw_index_name(TEST_EMBEDDING_VERSION)}")
    assert hnsw_index_ensure(embedding_version=TEST_EMBEDDING_VERSION, dim=8) is True
    assert hnsw_index_ensure(embedding_version=TEST_EMBEDDING_VERSION, dim=8) is False

    statement = nearest_sql(embedding_version=TEST_EMBEDDING_VERSION, dim=8)
    with connection.cursor() as cursor:
        cursor.execute(PREFER_INDEX)
        cursor.execute(
            "EXPLAIN " + statement,
            {"query": "[" + ",".join(map(str, unit_vector(5))) + "]", "limit": 10},
        )
        plan = "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute(RESET_PREFERENCE)
    assert hnsw_index_name(TEST_EMBEDDING_VERSION) in plan


def test_hnsw_ef_search_is_raised_above_the_default():
    with connection.cursor() as cursor:
        cursor.execute("SHOW hnsw.ef_search")
        assert int(cursor.fetchone()[0]) >= 300


def test_app_connections_run_statements_without_parallel_workers():
    # Launching parallel workers costs more than any of the app's statements.
    with connection.cursor() as cursor:
        cursor.execute("SHOW max_parallel_workers_per_gather")
        assert cursor.fetchone()[0] == "0"
