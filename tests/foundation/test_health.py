"""GET /api/health: for monitoring (the health token) and staff, 200 with every part up and 503
naming each part that is down; for anyone else a cheap liveness answer that pings nothing."""

import copy
import os
import time
import uuid

import pytest

from tests.conftest import django_script_json, free_port, start_celery_worker, stop_process

pytestmark = pytest.mark.django_db

HEALTH_TOKEN = "monitoring-token-for-the-suite"


@pytest.fixture
def client(settings):  # noqa: ANN001, ANN201
    """The operator's monitoring: presents the health token."""
    from django.test import Client

    settings.HEALTH_TOKEN = HEALTH_TOKEN
    return Client(headers={"Authorization": f"Bearer {HEALTH_TOKEN}"})


def test_anyone_else_gets_only_liveness_and_nothing_is_pinged(settings):  # noqa: ANN001
    from django.test import Client

    from tests.factories import UserFactory

    settings.HEALTH_TOKEN = HEALTH_TOKEN
    # Every part the full report checks is down: the public answer does not look.
    settings.EMBEDDER_URL = f"http://127.0.0.1:{free_port()}"
    settings.REDIS_URL = "unix:///nonexistent/redis.sock?db=0"
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": HEALTH_TOKEN}):
        response = Client(headers=headers).get("/api/health")
        assert (response.status_code, response.json()) == (200, {"status": "ok"})
    member = Client()
    member.force_login(UserFactory())
    assert member.get("/api/health").json() == {"status": "ok"}
    settings.HEALTH_TOKEN = ""
    assert Client(headers={"Authorization": "Bearer "}).get("/api/health").json() == {
        "status": "ok"
    }


def test_staff_get_the_full_report(settings):  # noqa: ANN001
    from django.test import Client

    from tests.factories import UserFactory

    settings.EMBEDDER_URL = f"http://127.0.0.1:{free_port()}"
    staff = Client()
    staff.force_login(UserFactory(is_staff=True))
    response = staff.get("/api/health")
    assert response.status_code == 503
    assert "embedder" in response.json()["failing"]


@pytest.fixture
def celery_worker(tmp_path):  # noqa: ANN001
    """A real Celery worker on the suite's Redis, so the health ping has someone to answer."""
    process = start_celery_worker(env=dict(os.environ), log_path=tmp_path / "worker.log")
    yield process
    stop_process(process)


def test_health_is_200_when_every_part_is_up(client, embedder, celery_worker):
    response = client.get("/api/health")
    body = response.json()
    assert response.status_code == 200, body
    assert body["status"] == "ok"
    assert body["failing"] == []
    assert body["database"]["pgvector"].startswith("0.8.")
    assert body["database"]["postgres"].startswith("18.")
    assert body["database"]["pg_trgm"] and body["database"]["unaccent"]
    assert body["storage"]["backend"] == "s3" and body["storage"]["bucket"]
    assert body["redis"]["ok"] is True
    assert body["celery"]["workers"]
    assert {"celery", "feed"} <= set(body["celery"]["queues"])
    assert body["embedder"]["embedding_version"] == "minilm-l6+efflite0:384:v2"


def test_health_names_the_embedder_when_it_is_down(client, settings):
    settings.EMBEDDER_URL = f"http://127.0.0.1:{free_port()}"
    response = client.get("/api/health")
    body = response.json()
    assert response.status_code == 503
    assert "embedder" in body["failing"]
    assert body["database"]["ok"] is True
    assert "ConnectError" in body["embedder"]["error"]


def test_health_names_celery_when_no_worker_answers(client):
    response = client.get("/api/health")
    body = response.json()
    assert response.status_code == 503
    assert "celery" in body["failing"]
    assert "no Celery worker" in body["celery"]["error"]


def test_health_names_a_queue_no_worker_consumes(client, tmp_path):  # noqa: ANN001
    """Only the feed worker is up: a ping it answered passed, while nothing transcoded."""
    worker = start_celery_worker(
        env=dict(os.environ), log_path=tmp_path / "feed-worker.log", queues="feed"
    )
    try:
        body = client.get("/api/health").json()
    finally:
        stop_process(worker)
    assert "celery" in body["failing"]
    assert body["celery"]["error"].endswith("no Celery worker consumes the queue(s): celery")


def test_health_names_the_feed_aggregates_when_nobody_applies_them(client, settings):
    from feed.aggregates import QUEUE_KEY
    from feed.state import redis_client
    from feed.taste_deltas import TasteDeltas, deltas_encode

    settings.FEED_AGGREGATES_STALE_SECONDS = 60
    deltas = TasteDeltas(version="v")
    deltas.stats[1]["play"] += 1
    redis_client().rpush(QUEUE_KEY, deltas_encode(deltas, queued_at=time.time() - 30))
    body = client.get("/api/health").json()
    assert body["feed_aggregates"] == {
        "ok": True,
        "pending": 1,
        "oldest_s": pytest.approx(30, abs=10),
        "dead_letter": 0,
        "ms": body["feed_aggregates"]["ms"],
    }
    redis_client().lpush(QUEUE_KEY, deltas_encode(deltas, queued_at=time.time() - 300))
    response = client.get("/api/health")
    body = response.json()
    assert response.status_code == 503 and "feed_aggregates" in body["failing"]
    assert "2 aggregate batches queued" in body["feed_aggregates"]["error"]
    assert "'feed' queue" in body["feed_aggregates"]["error"]


def test_health_names_redis_when_it_is_down(client, settings, tmp_path):
    settings.REDIS_URL = f"unix://{tmp_path}/missing.sock?db=0"
    response = client.get("/api/health")
    body = response.json()
    assert response.status_code == 503
    assert "redis" in body["failing"]
    assert body["database"]["ok"] is True


def test_health_names_the_database_when_it_is_down(tmp_path):
    """A separate process whose DATABASE_URL points at no server still answers, with 503."""
    script = (
        "import django, json; django.setup();"
        "from django.test import Client;"
        "r = Client(headers={'Authorization': 'Bearer t'}).get('/api/health');"
        "print(json.dumps({'status': r.status_code, 'body': r.json()}))"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tiktok.settings",
        "DATABASE_URL": f"postgresql://nobody@127.0.0.1:{free_port()}/nothing",
        "EMBEDDER_URL": f"http://127.0.0.1:{free_port()}",
        "ALLOWED_HOSTS": "testserver",
        "HEALTH_TOKEN": "t",
    }
    outcome = django_script_json(script, env=env, timeout_s=120)
    assert outcome["status"] == 503
    assert "database" in outcome["body"]["failing"]
    assert "OperationalError" in outcome["body"]["database"]["error"]


def _broken_storage(settings, **options) -> None:  # noqa: ANN001, ANN003
    storages = copy.deepcopy(settings.STORAGES)
    storages["default"]["OPTIONS"].update(options)
    settings.STORAGES = storages


@pytest.mark.parametrize(
    "options",
    [
        {"bucket_name": f"no-such-bucket-{uuid.uuid4().hex[:12]}"},
        {"secret_key": "wrong-secret"},
        {"endpoint_url": "http://127.0.0.1:9"},
    ],
    ids=["missing-bucket", "wrong-credentials", "unreachable-endpoint"],
)
def test_health_names_the_storage_when_it_fails(client, settings, options):  # noqa: ANN001
    _broken_storage(settings, **options)
    response = client.get("/api/health")
    body = response.json()
    assert response.status_code == 503
    assert "storage" in body["failing"]
    assert body["database"]["ok"] is True
