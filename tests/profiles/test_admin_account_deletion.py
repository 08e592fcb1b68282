"""Deleting an account from the admin (an erasure request, a spam account): it goes through
the same deletion as the owner's own, whatever the account did - its likes, saves, comments and
comment likes come off the counts of what outlives it, its reports stay as anonymous evidence,
and nothing refuses it for lack of a permission nobody can hold."""

from __future__ import annotations

import pytest

from moderation.models import Case, Report
from profiles.models import User
from profiles.services.graph import follow_create
from tests.factories import UserFactory, VideoFactory
from tests.moderation.helpers import report
from tests.support.admin_forms import staff_client, superuser_client
from videos.models import Comment, Video
from videos.services.comment_likes import comment_like_create
from videos.services.engagement import comment_create, like_create, save_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def busy_account(client_for):  # noqa: ANN001, ANN201
    """An account that did a bit of everything to someone else's video and comment, and
    reported that video along with another account."""
    account, creator = UserFactory(), UserFactory()
    video = VideoFactory(owner=creator)
    own = VideoFactory(owner=account)
    their_comment = comment_create(author=creator, video=video, body="first")
    like_create(user=account, video=video)
    save_create(user=account, video=video)
    comment_create(author=account, video=video, body="nice")
    comment_like_create(user=account, comment=their_comment)
    follow_create(follower=account, followee=creator)
    assert report(client_for(account), "video", video).status_code == 201
    assert report(client_for(UserFactory()), "video", video).status_code == 201
    return account, video, their_comment, own


def test_a_superuser_deletes_a_busy_account_and_the_counts_follow(busy_account) -> None:  # noqa: ANN001
    account, video, their_comment, own = busy_account
    client = superuser_client()
    url = f"/admin/profiles/user/{account.pk}/delete/"

    page = client.get(url)
    assert page.status_code == 200
    assert not page.context["perms_lacking"]
    response = client.post(url, {"post": "yes"})

    assert response.status_code == 302
    assert not User.objects.filter(pk=account.pk).exists()
    assert not Video.objects.filter(pk=own.pk).exists()
    video.refresh_from_db()
    their_comment.refresh_from_db()
    assert (video.like_count, video.save_count, video.comment_count) == (0, 0, 1)
    assert their_comment.like_count == 0
    assert Comment.objects.filter(video=video).count() == 1
    case = Case.objects.get()
    # The account's report stays, anonymous: the case still counts the two reports it has.
    assert case.reports.count() == case.reporter_count == 2
    assert Report.objects.filter(case=case, reporter__isnull=True).count() == 1


def test_deleting_accounts_in_bulk_from_the_list_releases_their_counts(busy_account) -> None:  # noqa: ANN001
    account, video, _, _ = busy_account
    other = UserFactory()
    like_create(user=other, video=video)
    client = superuser_client()

    response = client.post(
        "/admin/profiles/user/",
        {"action": "delete_selected", "_selected_action": [account.pk, other.pk], "post": "yes"},
    )

    assert response.status_code == 302
    assert not User.objects.filter(pk__in=[account.pk, other.pk]).exists()
    video.refresh_from_db()
    assert (video.like_count, video.save_count, video.comment_count) == (0, 0, 1)
    assert Case.objects.get().reporter_count == 2


def test_staff_without_the_permission_to_delete_accounts_cannot(busy_account) -> None:  # noqa: ANN001
    account = busy_account[0]
    client = staff_client("profiles.view_user", "profiles.change_user")

    response = client.post(f"/admin/profiles/user/{account.pk}/delete/", {"post": "yes"})

    assert response.status_code == 403
    assert User.objects.filter(pk=account.pk).exists()


def test_staff_holding_the_permission_delete_ordinary_accounts_but_not_staff_ones(
    busy_account,  # noqa: ANN001
) -> None:
    account = busy_account[0]
    colleague, owner = UserFactory(is_staff=True), UserFactory(is_staff=True, is_superuser=True)
    client = staff_client(
        "profiles.view_user",
        "profiles.delete_user",
        "videos.delete_video",
        "videos.delete_comment",
        "videos.delete_save",
        "profiles.delete_follow",
    )

    for staff in (colleague, owner):
        url = f"/admin/profiles/user/{staff.pk}/delete/"
        assert client.post(url, {"post": "yes"}).status_code == 403
    client.post(
        "/admin/profiles/user/",
        {"action": "delete_selected", "_selected_action": [colleague.pk], "post": "yes"},
    )
    assert User.objects.filter(pk__in=[colleague.pk, owner.pk]).count() == 2

    response = client.post(f"/admin/profiles/user/{account.pk}/delete/", {"post": "yes"})

    assert response.status_code == 302
    assert not User.objects.filter(pk=account.pk).exists()
