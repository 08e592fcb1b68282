"""The feed's HNSW search (feed.candidates.nearest_start): the viewer's blended taste computed
inside the statement, its results' facts, and the side connection it runs on."""

from __future__ import annotations

import logging

import numpy as np
import pytest
from django.db import connection
from psycopg_pool import PoolTimeout

from feed import candidates, interaction_state, state
from feed.models import TasteProfile
from feed.page_inputs import page_inputs_read, plan_settings
from feed.page_plan import plan_page
from feed.taste_maths import blend
from tests.factories import TEST_EMBEDDING_VERSION, UserFactory
from tests.feed.factories import DIM, axis, near, video_with_vector
from tests.support.planner import PREFER_INDEX, RESET_PREFERENCE
from tiktok.db import side_reads
from tiktok.db.binary import binary_read
from tiktok.db.threads import helper_pool
from videos.models import Privacy
from videos.vector_index import hnsw_index_ensure, hnsw_index_name


def _catalogue(count: int = 120) -> dict[int, np.ndarray]:
    """Videos spread over the axes; {id: unit vector}."""
    vectors = {}
    for seed in range(count):
        vector = np.asarray(near(axis(seed % DIM), (seed + 3) % DIM, 0.1 + seed * 0.011))
        vectors[video_with_vector(vector).pk] = vector
    return vectors


def _dense(seed: int) -> np.ndarray:
    """A unit vector with no zero component (so no two catalogue videos tie against it)."""
    vector = np.random.default_rng(seed).normal(size=DIM)
    return (vector / np.linalg.norm(vector)).astype(np.float32)


def _taste(user, vector) -> None:  # noqa: ANN001
    unit = (np.asarray(vector) / np.linalg.norm(vector)).tolist()
    TasteProfile.objects.create(
        user=user,
        embedding_version=TEST_EMBEDDING_VERSION,
        vector=unit,
        weighted_sum=unit,
        weight_total=1.0,
        positive_count=1,
    )


def _search(user=None, session=None, gamma=0.0, limit=20):  # noqa: ANN001, ANN202
    return candidates.nearest_start(
        user_id=user.pk if user is not None else None,
        session=None if session is None else np.asarray(session, dtype=np.float32),
        gamma=gamma,
        embedding_version=TEST_EMBEDDING_VERSION,
        dim=DIM,
        limit=limit,
    )


def _plan(user, *, session_id: str, limit: int, explore: bool) -> list[int]:  # noqa: ANN001
    rng = np.random.default_rng(0)
    inputs = page_inputs_read(
        viewer=user,
        user_id=user.pk if user is not None else None,
        session_id=session_id,
        embedding_version=TEST_EMBEDDING_VERSION,
        rng=rng,
    )
    plan = plan_page(
        inputs.candidates, limit=limit, explore=explore, rng=rng, config=plan_settings()
    )
    return plan.video_ids


def _page(user, *, explore: bool, session_id: str = "s") -> list[int]:  # noqa: ANN001
    return _plan(user, session_id=session_id, limit=10, explore=explore)


def _ranked(ids: list[int], vectors: dict[int, np.ndarray], taste: np.ndarray) -> list[int]:
    """The search's ids best first: an iterative scan in relaxed order may return neighbours
    slightly out of order (the page re-scores them on the full vectors anyway)."""
    return sorted(ids, key=lambda video_id: -float(vectors[video_id] @ np.asarray(taste)))


def _exact_top(vectors: dict[int, np.ndarray], taste: np.ndarray, k: int) -> list[int]:
    ids = list(vectors)
    sims = np.stack([vectors[v] for v in ids]) @ taste
    return [ids[i] for i in np.argsort(-sims, kind="stable")[:k]]


@pytest.mark.django_db(transaction=True)
def test_the_search_orders_by_the_blended_taste_and_runs_on_a_side_connection():
    vectors = _catalogue()
    hnsw_index_ensure(embedding_version=TEST_EMBEDDING_VERSION, dim=DIM)
    user = UserFactory()
    long_term, session = _dense(1), _dense(2)
    _taste(user, long_term)
    for gamma in (0.2, 0.6):
        search = _search(user, session, gamma)
        ids, found = search.result()
        expected = blend(np.asarray(long_term), np.asarray(session, dtype=np.float32), gamma)
        assert _ranked(ids, vectors, expected) == _exact_top(vectors, expected, 20)
        assert search._read.ran_on_side
        assert all(np.allclose(found[v], vectors[v], atol=1e-6) for v in ids)
    # Long-term alone, session alone (anonymous), neither.
    found = _search(user).result()[0]
    assert _ranked(found, vectors, long_term) == _exact_top(vectors, np.asarray(long_term), 20)
    found = _search(None, session, 0.3).result()[0]
    assert _ranked(found, vectors, session) == _exact_top(vectors, np.asarray(session), 20)
    assert _search(UserFactory()).result() == ([], {})
    assert _search(None).result() == ([], {})


@pytest.mark.django_db(transaction=True)
def test_the_search_uses_the_hnsw_index():
    _catalogue()
    hnsw_index_ensure(embedding_version=TEST_EMBEDDING_VERSION, dim=DIM)
    user = UserFactory()
    _taste(user, _dense(6))
    assert len(_search(user, limit=50).result()[0]) == 50
    statement = candidates._nearest_sql(
        embedding_version=TEST_EMBEDDING_VERSION, dim=DIM, with_session=False
    )
    with connection.cursor() as cursor:
        cursor.execute(PREFER_INDEX)  # a tiny table; the bench checks at scale
        cursor.execute("EXPLAIN " + statement, [user.pk, TEST_EMBEDDING_VERSION, 50])
        plan = "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute(RESET_PREFERENCE)
    assert hnsw_index_name(TEST_EMBEDDING_VERSION) in plan


@pytest.mark.django_db
def test_an_iterative_scan_finds_enough_videos_the_viewer_has_not_seen():
    vectors = _catalogue(300)
    with connection.cursor() as cursor:
        cursor.execute(
            "SET CONSTRAINTS ALL IMMEDIATE"
        )  # CREATE INDEX inside the test's transaction
    hnsw_index_ensure(embedding_version=TEST_EMBEDDING_VERSION, dim=DIM)
    user = UserFactory()
    taste = _dense(9)
    _taste(user, taste)
    seen = _exact_top(vectors, np.asarray(taste), 40)
    statement = candidates._nearest_sql(
        embedding_version=TEST_EMBEDDING_VERSION, dim=DIM, with_session=False, excluding=True
    )
    params = [user.pk, TEST_EMBEDDING_VERSION, "{" + ",".join(map(str, seen)) + "}", 20]
    found = {}
    with connection.cursor() as cursor:
        cursor.execute(PREFER_INDEX)  # the index, as at catalogue scale
        cursor.execute("SET hnsw.ef_search = 10")  # the scan's first batch: 10 rows
        for mode in ("off", "relaxed_order"):
            cursor.execute(f"SET hnsw.iterative_scan = {mode}")
            found[mode] = [row[0] for row in binary_read(connection.connection, statement, params)]
        cursor.execute(RESET_PREFERENCE + "; RESET hnsw.ef_search; RESET hnsw.iterative_scan")
    assert len(found["off"]) < 20  # one batch of 10, minus what was seen
    assert len(found["relaxed_order"]) == 20
    assert not set(found["relaxed_order"]) & set(seen)


@pytest.mark.django_db(transaction=True)
def test_a_page_never_shows_a_video_the_viewer_may_not_see_from_the_search():
    _catalogue()
    hidden = [
        video_with_vector(_dense(7), privacy=Privacy.PRIVATE),
        video_with_vector(_dense(7), privacy=Privacy.FOLLOWERS),
    ]
    hnsw_index_ensure(embedding_version=TEST_EMBEDDING_VERSION, dim=DIM)
    user = UserFactory()
    _taste(user, _dense(7))
    assert {v.pk for v in hidden} <= set(_search(user, limit=10).result()[0])
    video_ids = _page(user, explore=False)
    assert len(video_ids) == 10 and not {v.pk for v in hidden} & set(video_ids)


@pytest.mark.django_db
def test_inside_a_transaction_the_search_runs_inline_and_sees_its_writes():
    vectors = _catalogue(40)  # uncommitted: only this connection can see them
    user = UserFactory()
    _taste(user, _dense(3))
    search = _search(user)
    assert search._read is not None and search._read._future is None
    assert _ranked(search.result()[0], vectors, _dense(3)) == _exact_top(vectors, _dense(3), 20)


@pytest.mark.django_db(transaction=True)
def test_a_failed_side_read_is_repeated_inline(monkeypatch, caplog):  # noqa: ANN001
    vectors = _catalogue(40)
    user = UserFactory()
    _taste(user, _dense(4))

    def broken(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        raise PoolTimeout("no free connection")

    monkeypatch.setattr(side_reads, "_pool_run", broken)
    with caplog.at_level(logging.WARNING, logger="tiktok.db.side_reads"):
        search = _search(user)
        ids = search.result()[0]
    assert _ranked(ids, vectors, _dense(4)) == _exact_top(vectors, _dense(4), 20)
    assert not search._read.ran_on_side
    assert "side read failed" in caplog.text


@pytest.mark.django_db(transaction=True)
def test_side_reads_off_builds_the_same_page(settings):  # noqa: ANN001
    _catalogue()
    hnsw_index_ensure(embedding_version=TEST_EMBEDDING_VERSION, dim=DIM)
    user = UserFactory()
    _taste(user, _dense(5))

    parallel = _page(user, explore=True)
    settings.SIDE_READ_THREADS = 0
    assert side_reads.side_reads_possible() is False
    assert _page(user, explore=True) == parallel and len(parallel) == 10


@pytest.mark.django_db
def test_the_version_dimension_is_looked_up_once_then_read_from_redis():
    video_with_vector(axis(0))
    owner = state.owner_key(user_id=None, session_id="s")
    loaded = state.feed_state_load(
        owner=owner, session_id="s", trending_count=1, embedding_version=TEST_EMBEDDING_VERSION
    )
    assert loaded.version_dim is None
    assert candidates.version_dim(TEST_EMBEDDING_VERSION) == DIM
    assert candidates.version_dim("no-such-version") is None
    _plan(None, session_id="s", limit=5, explore=False)
    loaded = state.feed_state_load(
        owner=owner, session_id="s", trending_count=1, embedding_version=TEST_EMBEDDING_VERSION
    )
    assert loaded.version_dim == DIM


@pytest.mark.django_db(transaction=True)
def test_a_forked_child_starts_its_own_side_read_threads():
    import os

    user = UserFactory()
    _taste(user, _dense(8))
    _catalogue(20)
    assert _search(user).result()[0]  # the parent's executor exists now
    state.served_add_start(owner="u1", session_id="s", video_ids=[1]).result()
    pid = os.fork()
    if pid == 0:  # child: an inherited pool would queue work for threads that do not exist here
        try:
            ran = helper_pool("side-read", 1).submit(lambda: "ran").result(timeout=10)
        except Exception:  # noqa: BLE001 - a hang or failure is the bug
            os._exit(1)
        os._exit(0 if ran == "ran" else 1)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0


@pytest.mark.django_db(transaction=True)
def test_a_viewer_who_has_seen_their_whole_neighbourhood_still_gets_near_videos(settings):
    settings.FEED_CANDIDATES = 30
    vectors = _catalogue(200)
    hnsw_index_ensure(embedding_version=TEST_EMBEDDING_VERSION, dim=DIM)
    user = UserFactory()
    taste = _dense(11)
    _taste(user, taste)
    seen = _exact_top(vectors, taste, 40)  # more than the search's first 30 candidates
    pipe = state.redis_client().pipeline()
    owner = state.owner_key(user_id=user.pk, session_id="s")
    interaction_state.owner_history_apply(histories={owner: ([], seen)}, pipe=pipe)
    pipe.execute()
    unseen = {video_id: vector for video_id, vector in vectors.items() if video_id not in seen}

    video_ids = _page(user, explore=False)

    assert len(video_ids) == 10 and not set(video_ids) & set(seen)
    assert set(video_ids) <= set(_exact_top(unseen, taste, 30))
