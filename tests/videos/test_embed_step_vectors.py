"""The embed step stores only vectors fit for search: an embedder answering a vector of another
length than its dimension (or than its version's), one that is not finite or not of unit
length, or a version the column cannot hold, fails that video saying why, and its version
stays searchable. The embedder here is a stand-in answering what a broken or hostile one
would; the real service's answers are tested in tests/embedder_service/."""

from __future__ import annotations

import contextlib

import numpy as np
import pytest
from django.db import connection

from embedder_service.client import EmbedVideoResult
from tests.factories import VideoEmbeddingFactory, VideoFactory
from videos.models import VideoEmbedding
from videos.pipeline import steps
from videos.pipeline.errors import StepPermanentError
from videos.pipeline.outputs import TranscodeOutput
from videos.vector_index import hnsw_index_ensure, hnsw_index_exists, nearest_videos

pytestmark = pytest.mark.django_db

VERSION = "hostile:8:v1"


class _Answering:
    def __init__(self, result: EmbedVideoResult) -> None:
        self.result = result

    def __enter__(self) -> _Answering:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def embed_video(self, paths, transcript, caption) -> EmbedVideoResult:  # noqa: ANN001
        return self.result


def _embed(monkeypatch, video, vector, *, dim: int = 8, version: str = VERSION):  # noqa: ANN001, ANN202
    result = EmbedVideoResult(
        video_embedding=list(vector),
        visual_embedding=None,
        text_embedding=None,
        embedding_version=version,
        dim=dim,
        missing=[],
    )
    monkeypatch.setattr(steps, "embedder_client", lambda: _Answering(result))
    monkeypatch.setattr(
        steps, "storage_local_paths", lambda names: contextlib.nullcontext(["frame.jpg"])
    )
    return steps.step_embed(video, TranscodeOutput(frames=["videos/x/frames/frame_000.jpg"]))


def _unit(seed: int, dim: int = 8) -> list[float]:
    vector = np.random.default_rng(seed).normal(size=dim)
    return (vector / np.linalg.norm(vector)).tolist()


@pytest.mark.parametrize(
    ("vector", "dim", "says"),
    [
        (_unit(0, 7), 8, "a vector of 7 values for dimension 8"),
        ([1000.0 * x for x in _unit(1)], 8, "not a unit vector"),
        ([float("nan")] * 8, 8, "not finite"),
    ],
)
def test_a_vector_unfit_for_search_fails_the_video_saying_why(monkeypatch, vector, dim, says):  # noqa: ANN001
    video = VideoFactory()

    with pytest.raises(StepPermanentError, match=says):
        _embed(monkeypatch, video, vector, dim=dim)

    assert not VideoEmbedding.objects.filter(video=video).exists()


def test_a_vector_of_another_dimension_than_its_versions_is_refused(monkeypatch) -> None:  # noqa: ANN001
    _embed(monkeypatch, VideoFactory(), _unit(1))

    with pytest.raises(StepPermanentError, match="dimension 4 where version hostile:8:v1 has 8"):
        _embed(monkeypatch, VideoFactory(), _unit(2, 4), dim=4)


def test_after_a_refused_vector_the_version_is_indexed_and_searched(monkeypatch) -> None:  # noqa: ANN001
    # One 7-value vector stored first kept the version's index from ever being built, and
    # every nearest-neighbour query of it failed.
    with contextlib.suppress(StepPermanentError):
        _embed(monkeypatch, VideoFactory(), _unit(0, 7))
    for seed in range(1, 5):
        _embed(monkeypatch, VideoFactory(), _unit(seed))

    assert hnsw_index_exists(embedding_version=VERSION)
    found = nearest_videos(query=_unit(99), embedding_version=VERSION, limit=3)
    assert len(found) == 3 and all(-1.0001 <= similarity <= 1.0001 for _, similarity in found)


def test_a_version_longer_than_the_column_fails_the_video_saying_so(monkeypatch) -> None:  # noqa: ANN001
    version = "acme-qwen3-vl-embedding-8b-finetuned-shorts-2025-06:1024:v1+0123abcd"

    with pytest.raises(StepPermanentError, match="longer than 64 characters"):
        _embed(monkeypatch, VideoFactory(), _unit(1), version=version)


def test_a_version_with_a_percent_sign_is_searched(settings) -> None:  # noqa: ANN001
    # Inlined into a statement run with parameters, "%t" was read as a placeholder.
    version = "weird%tag:8:v1"
    for seed in range(3):
        VideoEmbeddingFactory(
            video=VideoFactory(), embedding_version=version, embedding=_unit(seed)
        )
    with connection.cursor() as cursor:  # the factories' deferred checks, before the index
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    hnsw_index_ensure(embedding_version=version, dim=8)

    assert hnsw_index_exists(embedding_version=version)
    assert len(nearest_videos(query=_unit(0), embedding_version=version, limit=3)) == 3
    assert (
        len(
            nearest_videos(
                query=_unit(0), embedding_version=version, limit=3, video_where=("TRUE", [])
            )
        )
        == 3
    )
