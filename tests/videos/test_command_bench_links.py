"""bench_links at a tiny scale: every page parsed, the links each was built with found, and bad
options refused."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError


def test_tiny_bench_finds_each_pages_links(tmp_path):
    out_path = tmp_path / "links.json"
    stdout = StringIO()

    call_command("bench_links", scale=0.001, repeat=1, out=out_path, stdout=stdout)

    pages = json.loads(out_path.read_text())["pages"]
    links = {name: figures["links"] for name, figures in pages.items()}
    assert links == {
        "unclosed <div>s": 1,
        "stray closing tags": 1,
        "an unterminated tag to the end": 1,
        "unterminated comments to the end": 1,
        "tags of 1,000 attributes": 1,
        "nested posts": 1,
        "thread, a link per post": 20,
        "JSON-LD VideoObjects": 7,
    }
    assert all(figures["bytes"] > 0 and figures["parse_s"] >= 0 for figures in pages.values())
    assert "parse s" in stdout.getvalue()


@pytest.mark.parametrize("options", [{"scale": 2.0}, {"repeat": 0}])
def test_bad_options_are_refused(tmp_path, options):
    with pytest.raises(CommandError, match="--repeat >= 1 and --scale"):
        call_command("bench_links", out=tmp_path / "x.json", stdout=StringIO(), **options)
