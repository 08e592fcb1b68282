"""bench_feed at a tiny size: figures for every measurement, an HNSW plan and a profile.

2,000 videos: below about 1,500 PostgreSQL rightly plans an exact scan for 400 candidates."""

from __future__ import annotations

import json
from io import StringIO

from django.core.management import call_command

from tests.feed_eval.conftest import row_counts

LATENCY_KEYS = {"p50_ms", "p95_ms", "p99_ms"}


def test_tiny_bench_writes_every_figure_and_uses_the_hnsw_index(outside_transaction, tmp_path):
    before = row_counts()
    out_path = tmp_path / "feed.json"
    stdout = StringIO()
    call_command(
        "bench_feed",
        videos=2000,
        users=10,
        requests=5,
        out=out_path,
        no_progress=True,
        profile=True,
        stdout=stdout,
    )
    figures = json.loads(out_path.read_text())
    for name in ("feed_warm", "feed_cold", "feed_anonymous", "interactions", "retrieval_sql"):
        assert set(figures[name]) >= LATENCY_KEYS, name
        assert figures[name]["n"] == 5
        assert 0 < figures[name]["p50_ms"] <= figures[name]["p95_ms"] <= figures[name]["p99_ms"]
    assert figures["videos"] == 2000
    assert figures["retrieval_sql"]["uses_hnsw_index"] is True, figures["retrieval_sql"]["explain"]
    assert figures["retrieval_sql"]["index"] in figures["retrieval_sql"]["explain"]
    assert "Index Scan using video_emb_hnsw_" in stdout.getvalue()
    assert 0.5 <= figures["retrieval_sql"]["recall_vs_exact"] <= 1.0
    assert "against an exact scan" in stdout.getvalue()
    # --profile: where an in-process warm page's time goes.
    assert "in-process feed_page (no HTTP)" in stdout.getvalue()
    assert "feed/selectors.py" in stdout.getvalue() and "(feed_page)" in stdout.getvalue()
    assert row_counts() == before


def test_the_bench_servers_start_without_an_inherited_embedded_services_flag(monkeypatch):  # noqa: ANN001
    # The test suite exports EMBEDDED_SERVICES=1 to every child; `make bench-feed` does not
    # (it runs with DEBUG=1), and its server and worker run with DEBUG off.
    import subprocess
    import sys

    from django.conf import settings

    from feed.evaluation.bench_http import _server_env
    from tests.conftest import BASE_DIR

    monkeypatch.delenv("EMBEDDED_SERVICES", raising=False)
    env = _server_env(
        database_url=settings.DATABASE_URL, redis_url=settings.REDIS_URL, embedding_version="x"
    )
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=BASE_DIR,
        env={**env, "DJANGO_SETTINGS_MODULE": "tiktok.settings"},
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stderr[-1500:]
