"""bench_trending at a tiny size: the query timed over the generated window, figures written,
nothing left in the test database, bad sizes refused."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from feed.models import Interaction
from videos.models import Video

pytestmark = pytest.mark.django_db(transaction=True)  # the bench makes its own database


def test_tiny_bench_times_the_query_over_every_event_and_leaves_nothing(tmp_path):  # noqa: ANN001
    out_path = tmp_path / "trending.json"
    stdout = StringIO()
    before = (Interaction.objects.count(), Video.objects.count())

    call_command(
        "bench_trending", events=2_000, users=40, videos=30, runs=2, out=out_path, stdout=stdout
    )

    figures = json.loads(out_path.read_text())
    assert figures["events"] == 2_000
    # 2,000 events over 30 videos: every video has a play, finish or share of someone.
    assert figures["videos_with_events"] == 30
    assert figures["query"]["n"] == 2 and figures["query"]["p50_ms"] > 0
    assert "p50 ms" in stdout.getvalue()
    assert (Interaction.objects.count(), Video.objects.count()) == before


@pytest.mark.parametrize("option", ["events", "users", "videos", "runs"])
def test_a_size_below_one_is_refused(tmp_path, option):  # noqa: ANN001
    with pytest.raises(CommandError, match=f"--{option}"):
        call_command("bench_trending", out=tmp_path / "x.json", stdout=StringIO(), **{option: 0})
