"""The queue's actions, posted to the admin changelist by a superuser, and what they change
everywhere: the API, the feed, profiles, search, media URLs, sign-in and tokens."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from moderation.models import Case
from profiles.services.accounts import user_token
from tests.factories import TEST_EMBEDDING_VERSION, CommentFactory, UserFactory, VideoFactory
from tests.feed.factories import axis, near, video_with_vector
from tests.moderation.helpers import CHANGELIST, admin_action, report
from videos.models import Comment, Video
from videos.services.engagement import comment_create

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-pass-phrase"


@pytest.fixture(autouse=True)
def _embedding_version(settings):  # noqa: ANN001
    settings.ACTIVE_EMBEDDING_VERSION = TEST_EMBEDDING_VERSION
    settings.EMBEDDER_URL = "http://127.0.0.1:9"  # search falls back to text matching


def _case_for(client_for, kind: str, item) -> Case:  # noqa: ANN001
    assert report(client_for(UserFactory()), kind, item).status_code == 201
    return Case.objects.get(status="open", kind=kind)


def _feed_ids(session: str) -> set[int]:
    body = APIClient().get("/api/feed?limit=50", HTTP_X_SESSION_ID=session).json()
    return {item["id"] for item in body["items"]}


def _media_status(client, video: Video) -> int:  # noqa: ANN001
    return client.get(f"/media/videos/{video.media_key}/video.mp4").status_code


def test_the_queue_lists_open_cases_most_reported_first(admin_client, client_for):  # noqa: ANN001
    quiet, loud = VideoFactory(caption="quiet one"), VideoFactory(caption="loud one")
    report(client_for(UserFactory()), "video", quiet)
    for _ in range(2):
        report(client_for(UserFactory()), "video", loud, detail="look at this")

    page = admin_client.get(CHANGELIST).content.decode()

    assert page.index("loud one") < page.index("quiet one")
    detail = admin_client.get(f"{CHANGELIST}{Case.objects.get(video=loud).pk}/change/")
    assert detail.status_code == 200 and "look at this" in detail.content.decode()


def test_hide_video_takes_it_out_of_every_list_and_its_media(
    admin_client,  # noqa: ANN001
    client_for,  # noqa: ANN001
    media_store,  # noqa: ANN001
):
    video = video_with_vector(axis(0), caption="skateboard trick")
    for j in range(1, 6):
        video_with_vector(near(axis(0), j, 0.4))
    media_store.put(f"videos/{video.media_key}/video.mp4", b"\x00" * 64)
    anyone = APIClient()
    assert video.pk in _feed_ids("before")
    assert _media_status(anyone, video) == 200
    case = _case_for(client_for, "video", video)

    response = admin_action(admin_client, "hide_video", case)

    assert response.status_code == 302
    video.refresh_from_db()
    case.refresh_from_db()
    assert (video.hidden_reason, case.status, case.action) == (
        "moderator",
        "actioned",
        "hide_video",
    )
    assert anyone.get(f"/api/videos/{video.pk}").status_code == 404
    assert video.pk not in _feed_ids("after")
    profile = anyone.get(f"/api/users/{video.owner.username}/videos").json()["results"]
    assert profile == []
    search = anyone.get("/api/search", {"q": "skateboard"}).json()
    assert search["method"] == "text" and search["items"] == []
    assert _media_status(anyone, video) == 404
    assert _media_status(client_for(UserFactory()), video) == 404
    # The owner still sees it (and knows why); a moderator may watch it to review it.
    owner_view = client_for(video.owner).get(f"/api/videos/{video.pk}")
    assert owner_view.status_code == 200
    assert _media_status(admin_client, video) == 200


def test_remove_comment_deletes_it_and_keeps_the_count_right(admin_client, client_for, video):  # noqa: ANN001
    comment = comment_create(author=UserFactory(), video=video, body="rude words")
    comment_create(author=UserFactory(), video=video, body="a reply", parent_id=comment.pk)
    comment_create(author=UserFactory(), video=video, body="kind words")
    case = _case_for(client_for, "comment", comment)

    admin_action(admin_client, "remove_comment", case)

    video.refresh_from_db()
    case.refresh_from_db()
    assert not Comment.objects.filter(pk=comment.pk).exists()
    assert video.comment_count == 1
    assert (case.status, case.action, case.snapshot) == ("actioned", "remove_comment", "rude words")
    bodies = [
        c["body"] for c in APIClient().get(f"/api/videos/{video.pk}/comments").json()["results"]
    ]
    assert bodies == ["kind words"]


def test_suspend_user_reaches_the_author_of_a_reply_removed_with_its_thread(
    admin_client,  # noqa: ANN001
    client_for,  # noqa: ANN001
    video,  # noqa: ANN001
):
    top = comment_create(author=UserFactory(), video=video, body="rude words")
    replier = UserFactory()
    reply = comment_create(author=replier, video=video, body="ruder words", parent_id=top.pk)
    top_case = _case_for(client_for, "comment", top)
    report(client_for(UserFactory()), "comment", reply)
    reply_case = Case.objects.get(status="open", comment=reply)
    admin_action(admin_client, "remove_comment", top_case)

    response = admin_action(admin_client, "suspend_user", reply_case)

    replier.refresh_from_db()
    reply_case.refresh_from_db()
    assert not replier.is_active and replier.suspended_at is not None
    assert (reply_case.status, reply_case.action) == ("actioned", "suspend_user")
    assert "no account left" not in response.cookies["messages"].value
    assert replier.username in admin_client.get(f"{CHANGELIST}{reply_case.pk}/change/").text


def test_suspend_user_ends_their_sign_in_token_sessions_and_videos(admin_client, client_for):  # noqa: ANN001
    target = UserFactory(raw_password=PASSWORD)
    videos = VideoFactory.create_batch(2, owner=target, caption="by the target")
    token = user_token(user=target)
    browser = APIClient()
    browser.force_login(target)
    assert browser.get("/api/users/me").status_code == 200
    case = _case_for(client_for, "user", target)

    admin_action(admin_client, "suspend_user", case)

    target.refresh_from_db()
    assert not target.is_active and target.suspended_at is not None
    login = APIClient().post(
        "/api/auth/login", {"username": target.username, "password": PASSWORD}, format="json"
    )
    assert login.status_code == 401
    with_token = APIClient(HTTP_AUTHORIZATION=f"Token {token}")
    assert with_token.get("/api/users/me").status_code == 401
    assert browser.get("/api/users/me").status_code in (401, 403)
    anyone = APIClient()
    for video in videos:
        video.refresh_from_db()
        assert video.hidden_reason == "owner_suspended"
        assert anyone.get(f"/api/videos/{video.pk}").status_code == 404
    assert anyone.get("/api/search", {"q": "target"}).json()["items"] == []


def test_suspend_user_from_a_video_case_suspends_its_owner(admin_client, client_for, video):  # noqa: ANN001
    case = _case_for(client_for, "video", video)

    admin_action(admin_client, "suspend_user", case)

    video.owner.refresh_from_db()
    assert not video.owner.is_active


def test_reinstate_restores_a_suspended_account_and_its_videos(admin_client, client_for):  # noqa: ANN001
    target = UserFactory(raw_password=PASSWORD)
    video = VideoFactory(owner=target)
    already_hidden = VideoFactory(owner=target, hidden_reason="moderator")
    Video.objects.filter(pk=already_hidden.pk).update(hidden_at=already_hidden.created_at)
    case = _case_for(client_for, "user", target)
    admin_action(admin_client, "suspend_user", case)

    admin_action(admin_client, "reinstate", case, status="actioned")

    target.refresh_from_db()
    case.refresh_from_db()
    assert target.is_active and target.suspended_at is None
    assert case.reinstated_at is not None and case.status == "actioned"
    login = APIClient().post(
        "/api/auth/login", {"username": target.username, "password": PASSWORD}, format="json"
    )
    assert login.status_code == 200
    assert APIClient().get(f"/api/videos/{video.pk}").status_code == 200
    # A video hidden for its own sake stays hidden.
    assert APIClient().get(f"/api/videos/{already_hidden.pk}").status_code == 404


@pytest.mark.parametrize("kind", ["video", "comment"])
def test_suspending_from_a_case_that_hid_the_item_then_reinstating_shows_the_item_again(
    admin_client,  # noqa: ANN001
    client_for,  # noqa: ANN001
    settings,  # noqa: ANN001
    video,  # noqa: ANN001
    kind,  # noqa: ANN001
):
    settings.MODERATION_AUTO_HIDE_REPORTS = 1
    settings.MODERATION_AUTO_HIDE_MIN_ACCOUNT_AGE_HOURS = 0
    comment = comment_create(author=UserFactory(), video=video, body="reported words")
    item = video if kind == "video" else comment
    case = _case_for(client_for, kind, item)  # hidden pending review
    admin_action(admin_client, "suspend_user", case)
    author = video.owner if kind == "video" else comment.author
    anyone = APIClient()

    admin_action(admin_client, "reinstate", case, status="actioned")

    author.refresh_from_db()
    assert author.is_active
    assert anyone.get(f"/api/videos/{video.pk}").status_code == 200
    listed = anyone.get(f"/api/videos/{video.pk}/comments").json()["results"]
    assert [c["body"] for c in listed] == ["reported words"]


def test_reinstating_one_suspension_keeps_the_account_suspended_by_another_case(
    admin_client,  # noqa: ANN001
    client_for,  # noqa: ANN001
):
    target = UserFactory()
    video = VideoFactory(owner=target)
    video_case = _case_for(client_for, "video", video)
    account_case = _case_for(client_for, "user", target)
    admin_action(admin_client, "suspend_user", video_case, account_case)

    response = admin_action(admin_client, "reinstate", video_case, status="actioned")

    target.refresh_from_db()
    video_case.refresh_from_db()
    assert not target.is_active and target.suspended_at is not None
    assert video_case.reinstated_at is not None
    assert APIClient().get(f"/api/videos/{video.pk}").status_code == 404
    shown = admin_client.get(response["Location"]).content.decode()
    assert f"stays suspended by case #{account_case.pk}" in shown

    admin_action(admin_client, "reinstate", account_case, status="actioned")

    target.refresh_from_db()
    assert target.is_active and target.suspended_at is None
    assert APIClient().get(f"/api/videos/{video.pk}").status_code == 200


def test_reinstate_shows_a_hidden_video_again(admin_client, client_for, video):  # noqa: ANN001
    case = _case_for(client_for, "video", video)
    admin_action(admin_client, "hide_video", case)
    assert APIClient().get(f"/api/videos/{video.pk}").status_code == 404

    admin_action(admin_client, "reinstate", case, status="actioned")

    assert APIClient().get(f"/api/videos/{video.pk}").status_code == 200


def test_dismiss_unhides_what_reports_hid_pending_review(admin_client, client_for, settings):  # noqa: ANN001
    settings.MODERATION_AUTO_HIDE_REPORTS = 2
    video = VideoFactory()
    for _ in range(2):
        report(client_for(UserFactory()), "video", video)
    assert APIClient().get(f"/api/videos/{video.pk}").status_code == 404
    case = Case.objects.get()

    admin_action(admin_client, "dismiss", case)

    case.refresh_from_db()
    assert (case.status, case.action) == ("dismissed", "dismiss")
    assert APIClient().get(f"/api/videos/{video.pk}").status_code == 200


def test_dismiss_leaves_a_video_hidden_for_another_reason_hidden(admin_client, client_for):  # noqa: ANN001
    video = VideoFactory()
    case = _case_for(client_for, "video", video)
    Video.objects.filter(pk=video.pk).update(hidden_at=video.created_at, hidden_reason="moderator")

    admin_action(admin_client, "dismiss", case)

    assert APIClient().get(f"/api/videos/{video.pk}").status_code == 404


def test_an_action_of_the_wrong_kind_changes_nothing_and_says_why(admin_client, client_for):  # noqa: ANN001
    comment = CommentFactory()
    case = _case_for(client_for, "comment", comment)

    response = admin_action(admin_client, "hide_video", case)

    case.refresh_from_db()
    assert case.status == "open"
    assert "not about a video" in admin_client.get(response["Location"]).content.decode()


def test_comments_likes_and_reports_are_visible_in_the_admin(admin_client, client_for, video):  # noqa: ANN001
    comment = CommentFactory(video=video, body="visible to staff")
    report(client_for(UserFactory()), "comment", comment, detail="spam link")

    for path, text in [
        ("/admin/videos/comment/", "visible to staff"),
        ("/admin/videos/like/", "like"),
        ("/admin/videos/commentlike/", "comment like"),
        ("/admin/moderation/report/", "Spam"),
    ]:
        response = admin_client.get(path)
        assert response.status_code == 200, path
        assert text in response.content.decode().lower() or text in response.content.decode()


def test_reinstating_a_dismissed_case_unhides_nothing_and_says_why(admin_client, client_for):  # noqa: ANN001
    video = VideoFactory()
    case = _case_for(client_for, "video", video)
    admin_action(admin_client, "dismiss", case)
    Video.objects.filter(pk=video.pk).update(hidden_at=video.created_at, hidden_reason="moderator")

    response = admin_action(admin_client, "reinstate", case, status="dismissed")

    assert "nothing to undo" in admin_client.get(response["Location"]).content.decode()
    assert APIClient().get(f"/api/videos/{video.pk}").status_code == 404


def test_the_queue_filters_by_kind_and_reason(admin_client, client_for):  # noqa: ANN001
    video, other = VideoFactory(caption="hateful one"), VideoFactory(caption="spammy one")
    report(client_for(UserFactory()), "video", video, reason="hate")
    report(client_for(UserFactory()), "video", other, reason="spam")
    report(client_for(UserFactory()), "video", other, reason="hate")
    report(client_for(UserFactory()), "user", UserFactory(username="reported_person"))

    by_reason = admin_client.get(CHANGELIST, {"reports__reason": "spam"}).content.decode()
    by_kind = admin_client.get(CHANGELIST, {"kind": "user"}).content.decode()

    assert "spammy one" in by_reason and "hateful one" not in by_reason
    assert "reported_person" in by_kind and "spammy one" not in by_kind


def test_deleting_comments_in_the_admin_keeps_the_count_right(admin_client, video):  # noqa: ANN001
    comment = comment_create(author=UserFactory(), video=video, body="gone")
    comment_create(author=UserFactory(), video=video, body="reply", parent_id=comment.pk)
    comment_create(author=UserFactory(), video=video, body="stays")

    admin_client.post(
        "/admin/videos/comment/",
        {"action": "delete_selected", "_selected_action": [comment.pk], "post": "yes"},
    )

    video.refresh_from_db()
    assert video.comment_count == 1
    assert list(Comment.objects.values_list("body", flat=True)) == ["stays"]


@pytest.mark.parametrize("lift", ["reinstate", "dismiss"])
def test_lifting_a_video_decision_keeps_a_suspended_owners_video_hidden(
    admin_client, client_for, settings, lift
):  # noqa: ANN001
    settings.MODERATION_AUTO_HIDE_REPORTS = 1
    owner = UserFactory()
    video = VideoFactory(owner=owner)
    video_case = _case_for(client_for, "video", video)  # hidden pending review
    if lift == "reinstate":
        admin_action(admin_client, "hide_video", video_case)
    user_case = _case_for(client_for, "user", owner)
    admin_action(admin_client, "suspend_user", user_case)

    admin_action(
        admin_client, lift, video_case, status="actioned" if lift == "reinstate" else "open"
    )

    assert APIClient().get(f"/api/videos/{video.pk}").status_code == 404
    admin_action(admin_client, "reinstate", user_case, status="actioned")
    assert APIClient().get(f"/api/videos/{video.pk}").status_code == 200


def _comment_bodies(client, video: Video, **params) -> list[str]:  # noqa: ANN001
    page = client.get(f"/api/videos/{video.pk}/comments", params).json()["results"]
    bodies = []
    for comment in page:
        bodies.append(comment["body"])
        bodies += [reply["body"] for reply in comment["replies"]]
    return bodies


def test_a_suspended_accounts_comments_go_everywhere_and_come_back(admin_client, client_for):  # noqa: ANN001
    from notifications.models import Notification, NotificationActor

    target, creator, viewer = UserFactory(), UserFactory(), UserFactory()
    video = VideoFactory(owner=creator)
    rude = CommentFactory(video=video, author=target, body="rude words")
    kind = CommentFactory(video=video, author=creator, body="kind words")
    reply = CommentFactory(video=video, author=target, parent=kind, body="rude reply")
    under_rude = CommentFactory(video=video, author=creator, parent=rude, body="answer")
    note = Notification.objects.create(
        recipient=creator, kind="comment", group_key=f"comment:video:{video.pk}", actor=target
    )
    NotificationActor.objects.create(notification=note, actor=target)
    anyone, owner = APIClient(), client_for(creator)
    assert set(_comment_bodies(anyone, video)) == {
        "rude words",
        "kind words",
        "rude reply",
        "answer",
    }
    assert owner.get("/api/notifications/unread-count").json()["unread"] == 1

    case = _case_for(client_for, "user", target)
    admin_action(admin_client, "suspend_user", case)

    for client in (anyone, client_for(viewer), owner):
        assert _comment_bodies(client, video) == ["kind words"]
        assert (
            client.get(f"/api/videos/{video.pk}/comments", {"parent": rude.pk}).status_code == 404
        )
        replies = client.get(f"/api/videos/{video.pk}/comments", {"parent": kind.pk}).json()
        assert replies["results"] == []
    for client in (client_for(viewer), owner):  # nor liked, nor a reply under one liked
        assert client.post(f"/api/comments/{rude.pk}/like").status_code == 404
        assert client.post(f"/api/comments/{under_rude.pk}/like").status_code == 404
    top = anyone.get(f"/api/videos/{video.pk}/comments").json()["results"]
    assert [c["reply_count"] for c in top] == [0]
    assert owner.get("/api/notifications").json()["results"] == []
    assert owner.get("/api/notifications/unread-count").json()["unread"] == 0

    admin_action(admin_client, "reinstate", case, status="actioned")

    assert set(_comment_bodies(anyone, video)) == {
        "rude words",
        "kind words",
        "rude reply",
        "answer",
    }
    assert client_for(viewer).post(f"/api/comments/{reply.pk}/like").status_code == 200
    assert owner.get("/api/notifications/unread-count").json()["unread"] == 1


def test_active_is_not_edited_beside_the_suspension_in_the_admin(admin_client):  # noqa: ANN001
    target = UserFactory()
    page = admin_client.get(f"/admin/profiles/user/{target.pk}/change/")
    assert page.status_code == 200
    assert b'name="is_active"' not in page.content
