"""An embedding version switch never mixes the two versions' vectors: a session's taste of the
old version is not used against, nor blended with, the new version's vectors, and a batch's
taste deltas are filed under the version their vectors came from."""

from __future__ import annotations

import numpy as np
import pytest

from feed import services, state, taste
from feed.aggregates import aggregates_flush
from feed.models import TasteProfile
from feed.page_inputs import page_inputs_read
from feed.services import interactions_record
from tests.factories import UserFactory, VideoEmbeddingFactory, VideoFactory
from tests.feed.factories import event

pytestmark = pytest.mark.django_db

OLD, NEW, DIM = "test:8:v1", "test:8:v2", 8  # the same dimension: only the version tells them


def _axis(i: int) -> list[float]:
    vector = np.zeros(DIM, dtype=np.float32)
    vector[i % DIM] = 1.0
    return vector.tolist()


def _catalogue(n: int = 6) -> list:
    videos = []
    for i in range(n):
        video = VideoFactory()
        VideoEmbeddingFactory(video=video, embedding_version=OLD, embedding=_axis(i))
        VideoEmbeddingFactory(video=video, embedding_version=NEW, embedding=_axis(i + 3))
        videos.append(video)
    return videos


def test_a_session_taste_of_the_old_version_is_not_searched_with_after_the_switch(settings):  # noqa: ANN001
    videos = _catalogue()
    settings.ACTIVE_EMBEDDING_VERSION = OLD
    interactions_record(user=None, session_id="s1", events=[event(videos[0], "finish")])
    settings.ACTIVE_EMBEDDING_VERSION = NEW

    inputs = page_inputs_read(
        viewer=None,
        user_id=None,
        session_id="s1",
        embedding_version=NEW,
        rng=np.random.default_rng(0),
    )

    assert inputs.candidates.taste is None or float(np.dot(inputs.candidates.taste, _axis(0))) < 0.5


def test_the_session_taste_never_blends_two_versions(settings):  # noqa: ANN001
    videos = _catalogue()
    settings.ACTIVE_EMBEDDING_VERSION = OLD
    interactions_record(user=None, session_id="s2", events=[event(videos[0], "finish")])
    settings.ACTIVE_EMBEDDING_VERSION = NEW
    interactions_record(user=None, session_id="s2", events=[event(videos[1], "finish")])

    owner = state.owner_key(user_id=None, session_id="s2")
    raw = state.redis_client().hgetall(state.session_hash_key(owner, "s2"))
    session = state.session_taste_parse(raw, None, version=NEW)

    assert session.version == NEW
    assert np.allclose(session.vector, _axis(1 + 3), atol=1e-5)  # the new version's alone


def test_a_batchs_taste_is_filed_under_the_version_its_vectors_came_from(monkeypatch) -> None:  # noqa: ANN001
    # The version was read twice, for the vectors and for the deltas' label: at a switch in
    # between, old vectors went into the new version's taste.
    video = _catalogue(1)[0]
    user = UserFactory()
    monkeypatch.setattr(services, "active_embedding_version", lambda: OLD)
    monkeypatch.setattr(taste, "active_embedding_version", lambda: NEW)

    services.interactions_record(user=user, session_id="s3", events=[event(video, "finish")])
    aggregates_flush()

    assert not TasteProfile.objects.filter(user=user, embedding_version=NEW).exists()
    kept = TasteProfile.objects.get(user=user, embedding_version=OLD)
    assert np.allclose(np.asarray(kept.vector), _axis(0), atol=1e-5)
