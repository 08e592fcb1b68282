"""bench_search at a tiny size: every path is timed, the query embedding is reported apart, and
nothing is left in the test database."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command

from profiles.models import User
from videos.models import Video

pytestmark = pytest.mark.django_db(transaction=True)  # the bench makes its own database


def test_tiny_bench_writes_every_figure_and_leaves_nothing(tmp_path, embedder):  # noqa: ANN001
    out_path = tmp_path / "search.json"
    stdout = StringIO()
    users_before, videos_before = User.objects.count(), Video.objects.count()

    call_command("bench_search", videos=300, users=200, requests=5, out=out_path, stdout=stdout)

    figures = json.loads(out_path.read_text())
    assert figures["catalogue"] == {"videos": 300, "accounts": 200}
    for name in (
        "path_keyword",
        "path_trigram",
        "path_semantic",
        "video_fused",
        "video_text",
        "users",
        "users_by_name",
        "sounds",
        "suggest",
    ):
        assert figures[name]["n"] == 5 and 0 < figures[name]["p50_ms"] <= figures[name]["p99_ms"]
    assert figures["query_embedding"]["n"] == figures["queries"] > 0
    assert figures["embedding_version"]
    assert "video_fused p99" in stdout.getvalue()
    assert (User.objects.count(), Video.objects.count()) == (users_before, videos_before)
