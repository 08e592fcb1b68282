"""bench_discover at a tiny size: the lists are computed, every page and API answers 200 for
both viewers, every figure is written, and nothing is left in the test database."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command

from discover.models import Challenge
from videos.models import Hashtag, Video

pytestmark = pytest.mark.django_db(transaction=True)  # the bench makes its own database


def test_tiny_bench_writes_every_figure_and_leaves_nothing(tmp_path):  # noqa: ANN001
    out_path = tmp_path / "discover.json"
    stdout = StringIO()
    before = (Video.objects.count(), Hashtag.objects.count(), Challenge.objects.count())

    call_command(
        "bench_discover",
        videos=300,
        sounds=20,
        hashtags=50,
        requests=5,
        out=out_path,
        stdout=stdout,
    )

    figures = json.loads(out_path.read_text())
    assert figures["catalogue"] == {"videos": 300, "sounds": 20, "hashtags": 50}
    assert set(figures["latency"]) == {
        "db round trip",
        "api anonymous",
        "api signed in",
        "page /discover",
        "see-all videos",
        "api creators",
    }
    for row in figures["latency"].values():
        assert row["n"] == 5 and 0 < row["p50_ms"] <= row["p99_ms"]
    for section in ("videos", "hashtags", "sounds", "challenges", "creators"):
        assert figures["list_sizes"][section] > 0, figures["list_sizes"]
    assert "p99" in stdout.getvalue()
    # seeded in a throwaway database: the test database is as it was
    assert (Video.objects.count(), Hashtag.objects.count(), Challenge.objects.count()) == before
