"""Account search (`users_ranked`): the exact username, then username prefixes, then names alike
by trigrams, page after page in one order; names alike are read only when the prefixes leave
room on the page."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from profiles.models import Block, Follow
from search.selectors import users_ranked
from tests.factories import FollowFactory, UserFactory

pytestmark = pytest.mark.django_db


def _usernames(q: str, *, viewer=None, offset: int = 0, limit: int = 12) -> list[str]:  # noqa: ANN001
    page = users_ranked(viewer=viewer, q=q, offset=offset, limit=limit)
    return [item["username"] for item in page]


def _statements(q: str, **page: int) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        _usernames(q, **page)
    return [query["sql"] for query in queries]


def test_pages_follow_one_order_exact_then_prefixes_then_names_alike():
    for username, display_name in [
        ("bakerbobby", "Bobby"),
        ("bakerbob", "Bob"),
        ("bakerbobcat", "Bakerbob Cat"),
        ("zx81", "Bakerbob Jones"),
        ("mrbakerbob", "Mr B"),
        ("unrelated", "Nobody Here"),
    ]:
        UserFactory(username=username, display_name=display_name)
    whole = _usernames("bakerbob", limit=50)
    assert whole[0] == "bakerbob"
    # the prefixes, the one whose display name is the query as a word first
    assert whole[1:3] == ["bakerbobcat", "bakerbobby"]
    assert set(whole[3:]) == {"zx81", "mrbakerbob"}
    for size in (1, 2, 3, 5):
        pages: list[str] = []
        while page := _usernames("bakerbob", offset=len(pages), limit=size):
            pages += page
        assert pages == whole


def test_prefixes_that_fill_the_page_leave_names_alike_unread():
    for n in range(8):
        UserFactory(username=f"kadordor{n}")
    UserFactory(username="zz", display_name="Kadordor Fan")
    assert len(_usernames("kador", limit=5)) == 5
    assert not any("<%" in sql for sql in _statements("kador", limit=5))
    assert _usernames("kador", limit=10)[8:] == ["zz"]
    similar = next(sql for sql in _statements("kador", limit=10) if "<%" in sql)
    assert similar.rstrip().endswith("LIMIT 2"), similar


def test_blocked_and_suspended_accounts_are_left_out_of_names_alike_too():
    viewer = UserFactory()
    blocker = UserFactory(username="aa1", display_name="Quietude One")
    Block.objects.create(blocker=blocker, blocked=viewer)
    blocked = UserFactory(username="aa2", display_name="Quietude Two")
    Block.objects.create(blocker=viewer, blocked=blocked)
    UserFactory(username="aa3", display_name="Quietude Three", suspended_at=timezone.now())
    UserFactory(username="aa4", display_name="Quietude Four")
    assert _usernames("quietude", viewer=viewer) == ["aa4"]
    assert set(_usernames("quietude")) == {"aa1", "aa2", "aa4"}


def test_prefix_matches_come_most_followed_first_after_the_exact_name():
    UserFactory(username="lunaquiet", display_name="Luna")
    famous = UserFactory(username="lunafamous", display_name="Someone Else")
    known = UserFactory(username="lunaknown", display_name="Known")
    UserFactory(username="luna")
    for _ in range(3):
        FollowFactory(follower=UserFactory(), followee=famous)
    FollowFactory(follower=UserFactory(), followee=known)
    assert _usernames("lun")[:2] == ["lunafamous", "lunaknown"]
    # the exact username leads whatever its followers
    assert _usernames("luna") == ["luna", "lunafamous", "lunaknown", "lunaquiet"]
    # followers gone, the name falls back among equals, where the closer display name leads
    Follow.objects.filter(followee=famous).delete()
    assert _usernames("luna") == ["luna", "lunaknown", "lunaquiet", "lunafamous"]
