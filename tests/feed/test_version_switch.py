"""An embedding version switch never mixes the two versions' vectors: a session's taste of the
old version is not used against, nor blended with, the new version's vectors, and a batch's
taste deltas are filed under the version their vectors came from."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

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


def _served(monkeypatch, embedder_says):  # noqa: ANN001, ANN202
    from django.core.cache import cache

    from videos import versions

    monkeypatch.setattr(versions, "_embedder_version", lambda: embedder_says)
    cache.delete(versions.ACTIVE_VERSION_CACHE_KEY)
    return versions.active_embedding_version()


def _old_catalogue(n: int) -> list:
    videos = []
    for i in range(n):
        video = VideoFactory()
        VideoEmbeddingFactory(video=video, embedding_version=OLD, embedding=_axis(i))
        videos.append(video)
    return videos


def _re_embed(videos: list) -> None:
    for i, video in enumerate(videos):
        VideoEmbeddingFactory(video=video, embedding_version=NEW, embedding=_axis(i + 3))


def test_long_term_tastes_are_rebuilt_in_the_version_a_re_embed_makes_served(
    settings,  # noqa: ANN001
    monkeypatch,  # noqa: ANN001
    celery_eager,  # noqa: ANN001
) -> None:
    # Nothing rebuilt them: after the documented upgrade every signed-in viewer, months of
    # history kept, was a cold start.
    from feed.ingest import interactions_ingest

    settings.ACTIVE_EMBEDDING_VERSION = ""
    videos = _old_catalogue(6)
    viewer = UserFactory()
    assert _served(monkeypatch, OLD) == OLD
    interactions_ingest(
        rows=[{"user_id": viewer.pk, "video_id": v.pk, "type": "finish"} for v in videos[:2]]
    )
    _re_embed(videos)

    assert _served(monkeypatch, NEW) == NEW

    rebuilt = TasteProfile.objects.get(user=viewer, embedding_version=NEW)
    expected = np.asarray(_axis(3)) + np.asarray(_axis(4))
    assert np.allclose(np.asarray(rebuilt.vector), expected / np.linalg.norm(expected), atol=1e-5)
    assert rebuilt.positive_count == 2
    inputs = page_inputs_read(
        viewer=viewer,
        user_id=viewer.pk,
        session_id="after-the-switch",
        embedding_version=NEW,
        rng=np.random.default_rng(0),
    )
    assert inputs.candidates.taste is not None


def test_the_rebuild_replays_withdrawals_and_skips_anonymous_events(settings) -> None:  # noqa: ANN001
    from feed.ingest import interactions_ingest
    from feed.taste_rebuild import taste_profiles_rebuild

    settings.ACTIVE_EMBEDDING_VERSION = OLD
    videos = _catalogue(4)
    viewer = UserFactory()
    interactions_ingest(
        rows=[
            {"user_id": viewer.pk, "video_id": videos[0].pk, "type": "like"},
            {"user_id": viewer.pk, "video_id": videos[1].pk, "type": "like"},
            {"user_id": viewer.pk, "video_id": videos[1].pk, "type": "unlike"},
            {"user_id": None, "video_id": videos[2].pk, "type": "finish"},
        ]
    )

    assert taste_profiles_rebuild(version=NEW) == 1

    rebuilt = TasteProfile.objects.get(user=viewer, embedding_version=NEW)
    assert np.allclose(np.asarray(rebuilt.vector), _axis(3), atol=1e-5)  # video 0 alone


def test_an_embedder_restart_after_the_switch_keeps_the_new_version_served(
    settings,  # noqa: ANN001
    monkeypatch,  # noqa: ANN001
) -> None:
    # Unasked, the version with the most rows was served, ties broken by name: the old one came
    # back for minutes (":" sorts after "+") after a complete or almost complete re-embed.
    settings.ACTIVE_EMBEDDING_VERSION = ""
    videos = _old_catalogue(40)
    _re_embed(videos[:39])

    assert _served(monkeypatch, NEW) == NEW
    assert _served(monkeypatch, None) == NEW


def test_the_switch_waits_for_95_percent_of_the_catalogue(settings, monkeypatch) -> None:  # noqa: ANN001
    # Videos uploaded during the re-embed have only the new version: counted against the old
    # version's rows, they switched with 79% of the catalogue embedded.
    settings.ACTIVE_EMBEDDING_VERSION = ""
    videos = _old_catalogue(100)
    assert _served(monkeypatch, OLD) == OLD
    _re_embed(videos[:75])
    for _ in range(20):
        VideoEmbeddingFactory(video=VideoFactory(), embedding_version=NEW, embedding=_axis(1))

    assert _served(monkeypatch, NEW) == OLD

    _re_embed_rest = videos[75:]
    for i, video in enumerate(_re_embed_rest):
        VideoEmbeddingFactory(video=video, embedding_version=NEW, embedding=_axis(i))
    assert _served(monkeypatch, NEW) == NEW


def test_the_rebuild_command_names_a_version_nothing_has(settings) -> None:  # noqa: ANN001
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match="no video has a vector in version 'nothing:8:v0'"):
        call_command("taste_rebuild", "--embedding-version", "nothing:8:v0")


@contextlib.contextmanager
def _announcements() -> Iterator[list[tuple[str, str]]]:
    """The (previous, version) pairs `embedding_version_served` announces meanwhile."""
    from videos import events

    announced: list[tuple[str, str]] = []

    def receiver(sender, *, version: str, previous: str, **kwargs) -> None:  # noqa: ANN001, ANN003
        announced.append((previous, version))

    events.embedding_version_served.connect(receiver, dispatch_uid="test-announcements")
    try:
        yield announced
    finally:
        events.embedding_version_served.disconnect(dispatch_uid="test-announcements")


def test_a_switch_is_announced_even_after_redis_lost_everything(settings, monkeypatch) -> None:  # noqa: ANN001
    # The version served last lived only in the cache: a Redis flushed (or restarted without
    # persistence, or evicting) before the switch served the new version silently, and no
    # viewer's taste was rebuilt in it.
    from django.core.cache import cache

    settings.ACTIVE_EMBEDDING_VERSION = ""
    videos = _old_catalogue(4)
    with _announcements() as announced:
        assert _served(monkeypatch, OLD) == OLD
        _re_embed(videos)
        cache.clear()
        assert _served(monkeypatch, NEW) == NEW
        assert _served(monkeypatch, NEW) == NEW  # announced once
    assert announced == [(OLD, NEW)]


def test_a_switch_across_the_upgrade_is_announced_from_the_cached_version(
    settings,  # noqa: ANN001
    monkeypatch,  # noqa: ANN001
) -> None:
    # Before videos/0018 the version served last was a cache key; the first resolution after
    # the upgrade takes it from there.
    from django.core.cache import cache

    from videos import versions

    settings.ACTIVE_EMBEDDING_VERSION = ""
    _re_embed(_old_catalogue(4))
    cache.set(versions.LEGACY_SERVED_VERSION_KEY, OLD, timeout=None)
    with _announcements() as announced:
        assert _served(monkeypatch, NEW) == NEW
    assert announced == [(OLD, NEW)]
