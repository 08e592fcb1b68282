"""bench_hashtags at a tiny size: every figure written, the pages found, the seeded counts right,
and nothing left in the main database."""

from __future__ import annotations

import json
from io import StringIO

from django.core.management import call_command

from feed.management.commands.bench_hashtags import SEARCH_KINDS
from tests.feed_eval.conftest import row_counts


def test_tiny_bench_writes_every_figure(outside_transaction, tmp_path):
    before = row_counts()
    out_path = tmp_path / "hashtags.json"
    stdout = StringIO()

    call_command(
        "bench_hashtags", videos=300, hashtags=100, requests=20, out=out_path, stdout=stdout
    )

    figures = json.loads(out_path.read_text())
    assert (figures["videos"], figures["hashtags"]) == (300, 100)
    for viewer in ("anon", "user"):
        for endpoint in ("header", "videos_popular", "videos_new"):
            result = figures["results"][f"{endpoint}_{viewer}"]
            assert result["n"] == 18  # 20 requests less the 10% warm-up
            assert 0 < result["p50_ms"] <= result["p95_ms"] <= result["p99_ms"]
            assert result["found_share"] > 0.5
    searches = {kind: figures["results"][f"search_{kind}"] for kind in SEARCH_KINDS}
    for result in searches.values():
        assert result["n"] == 18
        assert 0 < result["p50_ms"] <= result["p95_ms"] <= result["p99_ms"]
    # Whole names and their prefixes are found (a name on private videos only is not); a name
    # is its own first result when anyone may see it; a query no seeded name resembles finds
    # nothing.
    assert searches["letter"]["found_share"] == 1.0
    assert searches["prefix"]["found_share"] == 1.0
    assert searches["name"]["found_share"] > 0.5
    assert 0.5 < searches["name"]["first_is_query_share"] <= searches["name"]["found_share"]
    assert searches["typo"]["found_share"] > 0.5
    assert searches["none"]["found_share"] == 0.0
    # Zipf-drawn: the largest hashtag is on many more videos than the mean (3 of 300 * 3 / 100).
    assert figures["largest_hashtag_videos"] > 30
    assert "p99 ms" in stdout.getvalue()
    assert row_counts() == before
