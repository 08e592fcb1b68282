"""One name per account in any case, kept by the database (a unique index on UPPER(username),
which also answers every lookup by name) and by every way of making an account."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction

from profiles.models import User
from tests.factories import UserFactory
from tests.support.migrations import migrate_to, migrate_to_latest
from tests.support.planner import plan_preferring_indexes

pytestmark = pytest.mark.django_db


def test_the_database_refuses_a_second_account_with_the_name_in_another_case():
    UserFactory(username="maria")
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create_user(username="MARIA", password="a-long-pass-phrase")
    assert list(
        User.objects.filter(username__iexact="maria").values_list("username", flat=True)
    ) == ["maria"]


def test_createsuperuser_refuses_a_name_taken_in_another_case(monkeypatch):
    UserFactory(username="maria")
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "a-long-pass-phrase")
    with pytest.raises(CommandError, match="already taken"):
        call_command("createsuperuser", "--noinput", username="Maria", email="m@example.com")
    assert not User.objects.filter(is_superuser=True, username="Maria").exists()


def test_signing_in_finds_the_account_in_any_case():
    user = UserFactory(username="maria", raw_password="a-long-pass-phrase")
    assert User.objects.get_by_natural_key("MaRiA") == user


def test_a_lookup_by_name_in_any_case_reads_the_index():
    UserFactory(username="maria")
    statement, params = (
        User.objects.filter(username__iexact="Maria").values("pk").query.sql_with_params()
    )
    plan = plan_preferring_indexes(statement, params)
    assert "user_username_any_case_unique" in plan


@pytest.mark.django_db(transaction=True)
def test_the_migration_names_accounts_sharing_a_name_and_builds_nothing_over_them():
    old_user = migrate_to([("profiles", "0006_user_private_index")]).get_model("profiles", "User")
    old_user.objects.create(username="maria", password="!")
    old_user.objects.create(username="Maria", password="!")
    try:
        with pytest.raises(RuntimeError, match="maria, Maria|Maria, maria"):
            migrate_to([("profiles", "0007_username_any_case")])
        old_user.objects.filter(username="Maria").update(username="maria2")
        migrate_to([("profiles", "0007_username_any_case")])
        assert sorted(User.objects.values_list("username", flat=True)) == ["maria", "maria2"]
    finally:
        migrate_to_latest()
