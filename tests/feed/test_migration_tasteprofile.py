"""TasteProfile moved from profiles to feed (profiles 0002, feed 0006): every stored row is kept,
on a database that has data."""

from __future__ import annotations

import pytest
from django.db import connection

from tests.support.migrations import migrate_to, migrate_to_latest

BEFORE = [("profiles", "0001_initial"), ("feed", "0005_coengagement_one_row_per_pair")]
AFTER = [
    ("profiles", "0002_tasteprofile_moves_to_feed"),
    ("feed", "0006_tasteprofile_from_profiles"),
]


@pytest.mark.django_db(transaction=True)
def test_taste_profiles_keep_every_row_when_the_model_moves_to_feed() -> None:
    old = migrate_to(BEFORE)
    user_model = old.get_model("profiles", "User")
    old_taste = old.get_model("profiles", "TasteProfile")
    alice = user_model.objects.create(username="alice", password="!")
    bob = user_model.objects.create(username="bob", password="!")
    old_taste.objects.create(
        user=alice,
        embedding_version="v1",
        vector=[0.6, 0.8],
        weighted_sum=[1.2, 1.6],
        weight_total=2.0,
        positive_count=2,
    )
    old_taste.objects.create(
        user=bob,
        embedding_version="v2",
        vector=[1.0, 0.0, 0.0],
        weighted_sum=[3.0, 0.0, 0.0],
        weight_total=3.0,
        positive_count=1,
    )

    try:
        new = migrate_to(AFTER)
        new_taste = new.get_model("feed", "TasteProfile")
        rows = {row.user.username: row for row in new_taste.objects.select_related("user").all()}
        assert set(rows) == {"alice", "bob"}
        assert rows["alice"].embedding_version == "v1"
        assert list(rows["alice"].vector) == pytest.approx([0.6, 0.8])
        assert list(rows["alice"].weighted_sum) == pytest.approx([1.2, 1.6])
        assert rows["alice"].weight_total == 2.0 and rows["alice"].positive_count == 2
        assert rows["bob"].embedding_version == "v2" and rows["bob"].weight_total == 3.0
        with connection.cursor() as cursor:
            cursor.execute("SELECT to_regclass('profiles_tasteprofile')")
            assert cursor.fetchone()[0] is None
    finally:
        migrate_to_latest()
