"""bench_notification_groups at a tiny size: both paths are timed and nothing is left in the
test database."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from notifications.models import Notification
from profiles.models import User

pytestmark = pytest.mark.django_db(transaction=True)  # the bench makes its own database


def test_tiny_bench_writes_both_figures_and_leaves_nothing(tmp_path):  # noqa: ANN001
    out_path = tmp_path / "groups.json"
    stdout = StringIO()
    before = (User.objects.count(), Notification.objects.count())

    call_command(
        "bench_notification_groups", people=20, big=2, requests=3, out=out_path, stdout=stdout
    )

    figures = json.loads(out_path.read_text())
    assert (figures["people_per_big_group"], figures["big_groups"]) == (20, 2)
    for name in ("page", "one big group"):
        assert figures[name]["n"] == 3 and 0 < figures[name]["p50_ms"] <= figures[name]["p99_ms"]
    assert "one big group" in stdout.getvalue()
    assert (User.objects.count(), Notification.objects.count()) == before


def test_a_page_without_big_groups_is_refused_before_any_work(tmp_path):  # noqa: ANN001
    with pytest.raises(CommandError, match="--big"):
        call_command("bench_notification_groups", big=0, out=tmp_path / "groups.json")
