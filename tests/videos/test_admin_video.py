"""The video admin: who may reprocess, what the change form lets an operator edit, and what its
change list costs on a big table."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from sounds.models import Sound
from tests.factories import UserFactory, VideoFactory
from tests.support.admin_forms import change_form, post_change_form, staff_client, superuser_client
from videos.models import Privacy, Video, VideoHashtag, VideoStatus
from videos.services.moderation import HIDDEN_BY_MODERATOR, HIDDEN_PENDING_REVIEW

pytestmark = pytest.mark.django_db
CHANGELIST = "/admin/videos/video/"


def test_staff_who_may_only_view_videos_cannot_reprocess_them(
    sent,  # noqa: ANN001
    django_capture_on_commit_callbacks,  # noqa: ANN001
) -> None:
    video = VideoFactory(status=VideoStatus.FAILED)

    with django_capture_on_commit_callbacks(execute=True):
        staff_client("videos.view_video").post(
            CHANGELIST, {"action": "reprocess", "_selected_action": [video.pk]}
        )

    assert sent == []
    video = Video.objects.get(pk=video.pk)
    assert video.status == VideoStatus.FAILED and video.pipeline_requested_at is None


def _change_url(video: Video) -> str:
    return f"{CHANGELIST}{video.pk}/change/"


def test_the_change_form_lists_no_other_videos_or_sounds() -> None:
    video = VideoFactory()
    VideoFactory.create_batch(12)
    for number in range(12):
        Sound.objects.create(title=f"sound {number}", creator=video.owner)

    form = change_form(superuser_client(), _change_url(video))

    assert "duplicate_of" not in form.data and "sound" not in form.data
    assert sum(form.options.values()) < 10, form.options  # privacy's three choices


def test_the_change_form_does_not_overwrite_counters_kept_by_the_services() -> None:
    video = VideoFactory(comment_count=2)

    response = post_change_form(
        superuser_client(), _change_url(video), comment_count="999", status=VideoStatus.FAILED
    )

    assert response.status_code == 302
    video = Video.objects.get(pk=video.pk)
    assert (video.comment_count, video.status) == (2, VideoStatus.READY)


def test_the_change_form_does_not_move_a_videos_sound() -> None:
    owner = UserFactory()
    old, new = (Sound.objects.create(title=title, creator=owner) for title in ("old", "new"))
    video = VideoFactory(owner=owner, sound=old)

    response = post_change_form(superuser_client(), _change_url(video), sound=str(new.pk))

    assert response.status_code == 302
    assert Video.objects.get(pk=video.pk).sound_id == old.pk


def test_a_caption_and_privacy_changed_in_the_change_form_are_saved_and_carried_on() -> None:
    video = VideoFactory(caption="before", privacy=Privacy.PUBLIC)

    response = post_change_form(
        superuser_client(), _change_url(video), caption="now #skate", privacy=Privacy.PRIVATE
    )

    assert response.status_code == 302
    video = Video.objects.get(pk=video.pk)
    assert (video.caption, video.privacy) == ("now #skate", Privacy.PRIVATE)
    tags = VideoHashtag.objects.filter(video=video).values_list("hashtag__name", flat=True)
    assert list(tags) == ["skate"]


def test_videos_are_not_added_in_the_admin() -> None:
    assert superuser_client().get(f"{CHANGELIST}add/").status_code == 403


def test_the_video_list_names_its_hidden_reasons_without_reading_the_videos() -> None:
    VideoFactory()
    client = superuser_client()

    with CaptureQueriesContext(connection) as queries:
        page = client.get(CHANGELIST).content.decode()

    assert not [q["sql"] for q in queries.captured_queries if "DISTINCT" in q["sql"]]
    assert "pending review" in page and "owner suspended" in page


def test_the_video_list_filters_by_hidden_reason() -> None:
    shown = VideoFactory()
    pending = VideoFactory(hidden_at=timezone.now(), hidden_reason=HIDDEN_PENDING_REVIEW)
    VideoFactory(hidden_at=timezone.now(), hidden_reason=HIDDEN_BY_MODERATOR)
    client = superuser_client()

    def listed(reason: str) -> set[int]:
        page = client.get(CHANGELIST, {"hidden_reason": reason})
        return {video.pk for video in page.context["cl"].result_list}

    assert listed(HIDDEN_PENDING_REVIEW) == {pending.pk}
    assert listed("none") == {shown.pk}


def test_the_video_list_finds_videos_by_the_words_of_their_caption() -> None:
    spam = [VideoFactory(caption=f"FREE Crypto Giveaway #{n}") for n in range(2)]
    VideoFactory(caption="my cat")
    named = VideoFactory(owner=UserFactory(username="crypto_giveaway"), caption="hello")
    client = superuser_client()

    found = client.get("/admin/videos/video/", {"q": "giveaway  CRYPTO"}).context["cl"]
    by_name = client.get("/admin/videos/video/", {"q": "Crypto_Giveaway"}).context["cl"]
    only_name = client.get("/admin/videos/video/", {"q": "@crypto_giveaway"}).context["cl"]

    assert {v.pk for v in found.result_list} == {v.pk for v in spam}
    assert {v.pk for v in by_name.result_list} == {named.pk}
    assert {v.pk for v in only_name.result_list} == {named.pk}


def test_the_caption_search_is_answered_by_its_trigram_index() -> None:
    from django.contrib.admin.sites import site
    from django.test import RequestFactory

    VideoFactory.create_batch(3)
    model_admin = site._registry[Video]
    request = RequestFactory().get("/admin/videos/video/", {"q": "giveaway"})
    queryset, _ = model_admin.get_search_results(request, Video.objects.all(), "giveaway")
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")  # a handful of rows: ask what it can use
        try:
            cursor.execute(f"EXPLAIN {sql}", params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
        finally:
            cursor.execute("RESET enable_seqscan")

    assert "videos_video_caption_trgm" in plan, plan


@pytest.mark.parametrize("typed", ["!!!", "a b", "go to", "___"])
def test_short_words_or_punctuation_search_accounts_only(typed: str) -> None:
    VideoFactory(caption=f"we {typed} now")
    client = superuser_client()

    with CaptureQueriesContext(connection) as queries:
        found = client.get("/admin/videos/video/", {"q": typed}).context["cl"]

    assert list(found.result_list) == []
    assert not [q["sql"] for q in queries.captured_queries if " LIKE " in q["sql"]]


def test_a_superuser_deletes_liked_videos_one_or_in_bulk() -> None:
    from videos.services.engagement import like_create

    liked = [VideoFactory() for _ in range(3)]
    for video in liked:
        like_create(user=UserFactory(), video=video)
    client = superuser_client()

    page = client.get(f"/admin/videos/video/{liked[0].pk}/delete/")
    assert page.status_code == 200
    assert not page.context["perms_lacking"]
    assert client.post(f"/admin/videos/video/{liked[0].pk}/delete/", {"post": "yes"}).status_code
    assert not Video.objects.filter(pk=liked[0].pk).exists()

    client.post(
        CHANGELIST,
        {"action": "delete_selected", "_selected_action": [v.pk for v in liked[1:]], "post": "yes"},
    )
    assert not Video.objects.filter(pk__in=[v.pk for v in liked]).exists()


def test_a_superuser_deletes_a_liked_comment_and_the_count_follows() -> None:
    from videos.models import Comment
    from videos.services.comment_likes import comment_like_create
    from videos.services.engagement import comment_create

    video = VideoFactory()
    comment = comment_create(author=UserFactory(), video=video, body="hello")
    comment_like_create(user=UserFactory(), comment=comment)
    client = superuser_client()

    page = client.get(f"/admin/videos/comment/{comment.pk}/delete/")
    assert not page.context["perms_lacking"]
    client.post(f"/admin/videos/comment/{comment.pk}/delete/", {"post": "yes"})

    assert not Comment.objects.filter(pk=comment.pk).exists()
    video.refresh_from_db()
    assert video.comment_count == 0
