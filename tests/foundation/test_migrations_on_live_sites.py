"""Migrations as an operator runs them on a site that has data and a managed PostgreSQL: the
extensions created beforehand by an administrator, data filled in by the database in one
statement, and the way out a stopping migration names works mid-upgrade."""

from __future__ import annotations

import importlib
import re
import types
import uuid

import pytest
from django.apps import apps
from django.db import connection, transaction

from profiles.models import User
from studio.models import FollowChange
from tests.factories import FollowFactory, UserFactory
from tests.support.migrations import migrate_to, migrate_to_latest

extensions = importlib.import_module("profiles.migrations.0003_database_extensions")
studio_initial = importlib.import_module("studio.migrations.0001_initial")
media_keys = importlib.import_module("videos.migrations.0002_video_media_key")
any_case = importlib.import_module("profiles.migrations.0007_username_any_case")


@pytest.mark.django_db
def test_the_extensions_migration_runs_as_an_app_role_that_does_not_own_them():
    """README: without the right to create extensions, an administrator creates them first and
    the app's own role migrates (Amazon RDS, Cloud SQL, Supabase): updating pgvector needs its
    owner, so the role goes on when the version is new enough."""
    statements = [operation.sql for operation in extensions.Migration.operations]
    name = connection.settings_dict["NAME"]
    role = f"app_role_{uuid.uuid4().hex}"  # roles are the server's; this one goes with the test
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE ROLE {role} NOSUPERUSER")
        cursor.execute(f'GRANT CREATE ON DATABASE "{name}" TO {role}')
        cursor.execute(f"SET ROLE {role}")
        try:
            for statement in statements:
                cursor.execute(statement)
        finally:
            cursor.execute("RESET ROLE")
        cursor.execute("SELECT extversion FROM pg_extension WHERE extname = 'vector'")
        (version,) = cursor.fetchone()
    assert tuple(int(part) for part in version.split(".")[:2]) >= (0, 8)


@pytest.mark.django_db
def test_the_extensions_migration_updates_pgvector_as_its_owner():
    (update, _trgm) = (operation.sql for operation in extensions.Migration.operations)
    with connection.cursor() as cursor:
        cursor.execute(update)
        cursor.execute(
            "SELECT extversion = default_version FROM pg_available_extensions "
            "JOIN pg_extension ON extname = name WHERE name = 'vector'"
        )
        assert cursor.fetchone() == (True,)


@pytest.mark.django_db
def test_the_follow_log_is_backfilled_from_the_follows_in_one_statement():
    follows = [FollowFactory(), FollowFactory(), FollowFactory()]
    FollowChange.objects.all().delete()

    with connection.schema_editor(atomic=False) as editor:
        studio_initial.follows_backfill(apps, editor)

    logged = set(
        FollowChange.objects.values_list("follower_id", "followee_id", "delta", "created_at")
    )
    assert logged == {(f.follower_id, f.followee_id, 1, f.created_at) for f in follows}


@pytest.mark.django_db
def test_media_keys_are_filled_with_distinct_random_hex_in_one_statement():
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMPORARY TABLE old_videos (id serial PRIMARY KEY, media_key varchar(32))"
        )
        cursor.execute("INSERT INTO old_videos (media_key) SELECT NULL FROM generate_series(1, 50)")
        cursor.execute("INSERT INTO old_videos (media_key) VALUES ('kept')")
    old_video = types.SimpleNamespace(_meta=types.SimpleNamespace(db_table="old_videos"))
    old_apps = types.SimpleNamespace(get_model=lambda app, model: old_video)

    with connection.schema_editor(atomic=False) as editor:
        media_keys.fill_media_keys(old_apps, editor)

    with connection.cursor() as cursor:
        cursor.execute("SELECT media_key FROM old_videos ORDER BY id")
        keys = [row[0] for row in cursor.fetchall()]
    assert keys[-1] == "kept"
    assert all(re.fullmatch(r"[0-9a-f]{32}", key) for key in keys[:-1])
    assert len(set(keys)) == len(keys)


@pytest.mark.django_db(transaction=True)
def test_the_rename_a_stopped_username_migration_names_works_with_the_new_release():
    """profiles/0007 stops on names shared in another case; its message's rename runs with the
    new release's code while later migrations (columns its User model reads) are not applied."""
    UserFactory(username="clashname")
    command = re.search(r'-c "(.*)"', any_case.RENAME_HOW).group(1)
    migrate_to([("profiles", "0006_user_private_index")])
    try:
        with transaction.atomic():
            exec(command.replace("'OLD'", "'clashname'").replace("'NEW'", "'renamed'"))  # noqa: S102
    finally:
        migrate_to_latest()
    assert User.objects.filter(username="renamed").exists()
    assert not User.objects.filter(username="clashname").exists()
