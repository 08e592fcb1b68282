"""Sound search's plan: each way of matching a sound reads its own index."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from profiles.models import User
from search.selectors import sounds_ranked
from sounds.models import Sound
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SOUNDS = 20_000
CREATORS = 2_000


def _catalogue() -> None:
    """Uploaded sounds ("track <n>") of many creators ("creator<n>"), analysed."""
    users, sounds = User._meta.db_table, Sound._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {users} (password, is_superuser, username, first_name, last_name, "
            "email, is_staff, is_active, date_joined, display_name, bio, is_private, avatar, "
            "created_at) SELECT '', false, 'creator' || i, '', '', '', false, true, now(), "
            f"'', '', false, '', now() FROM generate_series(1, {CREATORS}) i"
        )
        cursor.execute(
            f"INSERT INTO {sounds} (title, creator_id, kind, duration_ms, media_key, audio, "
            "fingerprint, fingerprint_keys, fingerprint_version, use_count, play_count, "
            "favorite_count, created_at) SELECT 'track ' || i, "
            f"(SELECT min(id) FROM {users} WHERE username LIKE 'creator%') + i % {CREATORS}, "
            "'uploaded', 1000, md5(i::text), '', '{}', '{}', '', i % 100, 0, 0, now() "
            f"FROM generate_series(1, {SOUNDS}) i"
        )
        cursor.execute(f"ANALYZE {users}")
        cursor.execute(f"ANALYZE {sounds}")


def _plan(q: str, viewer: User) -> str:
    with CaptureQueriesContext(connection) as queries:
        sounds_ranked(viewer=viewer, q=q, offset=0, limit=12)
    statement = next(query["sql"] for query in queries if "ORDER BY" in query["sql"])
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = on")
        cursor.execute(f"EXPLAIN {statement}")
        return "\n".join(row[0] for row in cursor.fetchall())


@pytest.mark.parametrize("q", ["zzzq", "track 12345", "creator77"])
def test_sound_search_reads_the_title_and_username_indexes_not_every_sound(q):
    _catalogue()
    plan = _plan(q, UserFactory())
    assert f"Seq Scan on {Sound._meta.db_table}" not in plan, plan


def test_sound_search_puts_the_exact_title_first_then_prefixes_by_use_then_typos():
    _catalogue()
    first = sounds_ranked(viewer=None, q="track 1234", offset=0, limit=12)
    more = sounds_ranked(viewer=None, q="track 1234", offset=12, limit=12)
    titles = [card["title"] for card in first + more]
    assert titles[:11] == ["track 1234"] + [f"track {n}" for n in range(12349, 12339, -1)]
    assert not any(title.startswith("track 1234") for title in titles[11:])
    assert len(titles) == len(set(titles)) == 24
    by_creator = sounds_ranked(viewer=None, q="@creator77", offset=0, limit=50)
    assert by_creator and all(card["creator"].startswith("creator77") for card in by_creator)
