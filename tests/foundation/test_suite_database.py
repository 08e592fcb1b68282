"""The suite never works on the development database, whichever tests a run collects."""

from __future__ import annotations


def test_package_fixtures_without_a_django_db_test_see_the_test_database(
    django_db_setup,  # noqa: ANN001
    django_db_blocker,  # noqa: ANN001
) -> None:
    # Run alone this test collects no `django_db` test: pytest-django would then set up no
    # test database and this connection would point at the development one.
    from django.db import connection

    with django_db_blocker.unblock():
        assert connection.settings_dict["NAME"] == connection.settings_dict["TEST"]["NAME"]
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_database()")
            assert cursor.fetchone()[0] == connection.settings_dict["TEST"]["NAME"]
