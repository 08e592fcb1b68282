"""bench_itemknn at a tiny scale: every shape measured and written, the counts consistent with
the generated histories, and a bad scale refused."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError


def test_tiny_bench_writes_every_shape(tmp_path):
    out_path = tmp_path / "itemknn.json"
    stdout = StringIO()

    call_command("bench_itemknn", scale=0.01, out=out_path, stdout=stdout)

    shapes = json.loads(out_path.read_text())["shapes"]
    assert set(shapes) == {"short-video", "ratings-1k", "ratings-5k"}
    assert shapes["ratings-1k"]["users"] == 10
    assert shapes["ratings-1k"]["rows"] == 10 * 200
    for figures in shapes.values():
        # Ordered pairs of distinct items: at most every user's n * (n - 1), at least one.
        assert 0 < figures["pairs"] <= figures["rows"] * 199
        assert figures["peak_mb"] >= figures["kept_mb"] > 0
        assert figures["build_s"] >= 0
        assert figures["score_user_ms"]["n"] == min(figures["users"], 500)
    assert "peak MB" in stdout.getvalue()


def test_a_scale_out_of_range_is_refused(tmp_path):
    with pytest.raises(CommandError, match="--scale"):
        call_command("bench_itemknn", scale=0, out=tmp_path / "x.json", stdout=StringIO())
