"""bench_sounds at a tiny size: every sound it asks for is found (anonymous and signed in),
every figure is written, copies are recognised, and the seeded rows never commit."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command

from sounds.models import Sound
from videos.models import Video

pytestmark = pytest.mark.django_db(transaction=True)


def test_tiny_bench_writes_every_figure_and_leaves_nothing(tmp_path):  # noqa: ANN001
    out_path = tmp_path / "sounds.json"
    stdout = StringIO()
    before = (Sound.objects.count(), Video.objects.count())

    call_command(
        "bench_sounds", videos=400, sounds=40, users=10, requests=12, out=out_path, stdout=stdout
    )

    figures = json.loads(out_path.read_text())
    assert (figures["videos"], figures["sounds"]) == (400, 40)
    for viewer in ("anon", "user"):
        for endpoint in ("sound_detail", "videos_popular", "videos_new"):
            result = figures[f"{endpoint}_{viewer}"]
            assert result["n"] == 12
            assert 0 < result["p50_ms"] <= result["p95_ms"] <= result["p99_ms"]
    assert figures["match_copy"]["recognised"] == figures["match_copy"]["n"] == 12
    assert "p99 ms" in stdout.getvalue()
    assert (Sound.objects.count(), Video.objects.count()) == before  # the seeding rolled back
