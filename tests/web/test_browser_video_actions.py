"""Every API action has a page, in a real browser: the owner edits a video's caption and
privacy and deletes it after a confirmation; comments get hearts and threaded replies; a
profile shows Videos / Liked / Saved tabs and blocks after a confirmation; the share sheet sends
a video to another user."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from tests.web.conftest import SEED_PASSWORD, SEED_USERNAME_PREFIX, log_in
from tests.web.helpers import (
    WAIT_TIMEOUT_MS,
    active_video_id,
    eventually,
    tap_slide_action,
    wait_feed_playing,
)

# No django_db: the stage must be committed for the live server (another process) to see it.
pytestmark = [pytest.mark.browser]


@dataclass
class Stage:
    owner: object
    fan: object
    video: object
    comment: object
    busy_comment: object


@pytest.fixture
def stage(web_seed, django_db_blocker) -> Iterator[Stage]:  # noqa: ANN001
    """An owner with one ready public video (playing a seeded clip's media), a fan who liked and
    saved it, a comment by the fan, and a comment with four replies."""
    from profiles.models import User
    from videos.models import Comment, Like, Save, Video, VideoStatus

    with django_db_blocker.unblock():
        names = [f"{SEED_USERNAME_PREFIX}vp_owner", f"{SEED_USERNAME_PREFIX}vp_fan"]
        User.objects.filter(username__in=names).delete()
        owner, fan = (
            User.objects.create_user(username=name, password=SEED_PASSWORD) for name in names
        )
        source = web_seed.videos["forest"]
        video = Video.objects.create(
            owner=owner,
            caption="Before the edit #hiking",
            privacy="public",
            status=VideoStatus.READY,
            content_hash=hashlib.sha256(b"video-actions-stage").hexdigest(),
            duration_s=source.duration_s,
            width=source.width,
            height=source.height,
            has_audio=source.has_audio,
            mp4=source.mp4.name,
            hls_playlist=source.hls_playlist.name,
            poster=source.poster.name,
            thumbnail=source.thumbnail.name,
            published_at=source.published_at,
        )
        Like.objects.create(user=fan, video=video)
        Save.objects.create(user=fan, video=video)
        comment = Comment.objects.create(video=video, author=fan, body="love this trail")
        busy = Comment.objects.create(video=video, author=owner, body="which trail is best?")
        for n in range(4):
            Comment.objects.create(video=video, author=fan, parent=busy, body=f"answer {n}")
        Video.objects.filter(pk=video.pk).update(like_count=1, save_count=1, comment_count=6)
        yield Stage(owner=owner, fan=fan, video=video, comment=comment, busy_comment=busy)
        # The stage video's own media prefix is empty: deleting it leaves the seeded files.
        Video.objects.filter(owner__in=[owner, fan]).delete()
        User.objects.filter(pk__in=[owner.pk, fan.pk]).delete()


def _db(django_db_blocker, read):  # noqa: ANN001, ANN202
    with django_db_blocker.unblock():
        return read()


def test_owner_edits_caption_and_privacy_on_the_video_page(desktop_page, stage, django_db_blocker):  # noqa: ANN001
    from videos.models import Video

    page = desktop_page
    log_in(page, stage.owner.username)
    page.goto(f"/v/{stage.video.pk}")
    page.click(".video-edit summary")

    page.fill("#edit-caption", "After the edit #nature")
    page.select_option("#edit-privacy", "followers")
    page.click("[data-role=edit-save]")

    page.wait_for_selector("[data-role=edit-saved]", state="visible", timeout=WAIT_TIMEOUT_MS)
    assert page.inner_text("#video-page [data-role=caption]") == "After the edit #nature"
    video = _db(django_db_blocker, lambda: Video.objects.get(pk=stage.video.pk))
    assert (video.caption, video.privacy) == ("After the edit #nature", "followers")
    page.reload()
    assert page.inner_text("#video-page [data-role=caption]") == "After the edit #nature"
    assert page.eval_on_selector("#edit-privacy", "select => select.value") == "followers"


def test_an_invalid_caption_shows_the_error_and_keeps_the_old_one(
    desktop_page, stage, django_db_blocker
):  # noqa: ANN001
    from videos.models import Video

    page = desktop_page
    log_in(page, stage.owner.username)
    page.goto(f"/v/{stage.video.pk}")
    page.click(".video-edit summary")
    # The textarea's maxlength stops typing, not a script: send what a client could.
    page.eval_on_selector(
        "#edit-caption",
        "area => { area.removeAttribute('maxlength'); area.value = 'x'.repeat(2300); }",
    )

    page.click("[data-role=edit-save]")

    page.wait_for_selector("[data-role=edit-error]", state="visible", timeout=WAIT_TIMEOUT_MS)
    assert "2200" in page.inner_text("[data-role=edit-error]")
    assert _db(django_db_blocker, lambda: Video.objects.get(pk=stage.video.pk).caption) == (
        "Before the edit #hiking"
    )


def test_owner_deletes_the_video_after_confirming(desktop_page, stage, django_db_blocker):  # noqa: ANN001
    from videos.models import Video

    page = desktop_page
    log_in(page, stage.owner.username)
    page.goto(f"/v/{stage.video.pk}")
    page.click(".video-edit summary")
    page.click("[data-role=delete-open]")
    page.wait_for_selector("#delete-video-dialog[open]")
    page.click("#delete-video-dialog button[value=cancel]")
    page.wait_for_selector("#delete-video-dialog", state="hidden")
    assert _db(django_db_blocker, lambda: Video.objects.filter(pk=stage.video.pk).exists())

    page.click("[data-role=delete-open]")
    page.click("#delete-video-dialog [data-role=delete-confirm]")

    page.wait_for_url(f"**/@{stage.owner.username}", timeout=WAIT_TIMEOUT_MS)
    assert not _db(django_db_blocker, lambda: Video.objects.filter(pk=stage.video.pk).exists())
    assert page.locator(f'.grid-item[data-video-id="{stage.video.pk}"]').count() == 0


def test_a_comment_is_liked_and_replied_to_in_its_thread(
    desktop_page, stage, web_seed, django_db_blocker
):  # noqa: ANN001
    from videos.models import Comment, CommentLike

    page = desktop_page
    viewer = web_seed.users["viewer"]
    log_in(page, viewer.username)
    page.goto(f"/v/{stage.video.pk}")
    comment = page.locator(f'.comment[data-comment-id="{stage.comment.pk}"]')
    comment.wait_for(timeout=WAIT_TIMEOUT_MS)
    heart = comment.locator(":scope > .comment-actions [data-action=like-comment]")
    assert heart.get_attribute("aria-pressed") == "false"

    # The heart turns at once (optimistic); the row exists once the server has answered.
    with page.expect_response(
        lambda r: (
            r.url.endswith(f"/api/comments/{stage.comment.pk}/like") and r.request.method == "POST"
        )
    ) as answer:
        heart.click()
    assert answer.value.ok, answer.value.status

    page.wait_for_function(
        "(id) => document.querySelector("
        '`.comment[data-comment-id="${id}"] [data-action=like-comment]`'
        ").getAttribute('aria-pressed') === 'true'",
        arg=stage.comment.pk,
    )
    assert heart.locator("[data-role=comment-likes]").inner_text() == "1"
    assert _db(
        django_db_blocker,
        lambda: CommentLike.objects.filter(user=viewer, comment_id=stage.comment.pk).exists(),
    )

    comment.locator(":scope > .comment-actions [data-action=reply]").click()
    page.wait_for_selector("#comments [data-role=replying]", state="visible")
    page.fill("#comments input[name=body]", "agreed, it's lovely")
    page.click("#comments button[type=submit]")

    reply = comment.locator("[data-role=replies] .comment.reply .comment-body")
    reply.wait_for(timeout=WAIT_TIMEOUT_MS)
    assert reply.inner_text() == "agreed, it's lovely"
    stored = _db(
        django_db_blocker, lambda: Comment.objects.get(author=viewer, video_id=stage.video.pk)
    )
    assert stored.parent_id == stage.comment.pk
    page.reload()
    heart = page.locator(f'.comment[data-comment-id="{stage.comment.pk}"]').locator(
        ":scope > .comment-actions [data-action=like-comment]"
    )
    heart.wait_for(timeout=WAIT_TIMEOUT_MS)
    assert heart.get_attribute("aria-pressed") == "true"


def test_more_replies_load_under_their_comment(desktop_page, stage):  # noqa: ANN001
    page = desktop_page
    page.goto(f"/v/{stage.video.pk}")
    thread = page.locator(f'.comment[data-comment-id="{stage.busy_comment.pk}"]')
    thread.wait_for(timeout=WAIT_TIMEOUT_MS)
    assert thread.locator("[data-role=replies] > .comment").count() == 3

    thread.get_by_role("button", name="View 1 more reply").click()

    page.wait_for_function(
        "(id) => document.querySelectorAll("
        '`.comment[data-comment-id="${id}"] [data-role=replies] > .comment`).length === 4',
        arg=stage.busy_comment.pk,
    )
    bodies = thread.locator("[data-role=replies] .comment-body").all_inner_texts()
    assert bodies == [f"answer {n}" for n in range(4)]


def test_profile_tabs_list_liked_and_saved_videos(desktop_page, stage):  # noqa: ANN001
    page = desktop_page
    log_in(page, stage.fan.username)
    page.goto(f"/@{stage.fan.username}")
    assert page.locator("#panel-videos").is_visible()

    page.click("[role=tab][data-tab=liked]")

    liked = page.locator(f'#panel-liked .grid-item[data-video-id="{stage.video.pk}"]')
    liked.wait_for(timeout=WAIT_TIMEOUT_MS)
    assert page.locator("#panel-videos").is_hidden()
    page.click("[role=tab][data-tab=saved]")
    page.locator(f'#panel-saved .grid-item[data-video-id="{stage.video.pk}"]').wait_for(
        timeout=WAIT_TIMEOUT_MS
    )
    assert page.get_attribute("[role=tab][data-tab=saved]", "aria-selected") == "true"
    page.goto(f"/@{stage.owner.username}")
    assert page.locator("[role=tab][data-tab=liked]").count() == 1
    assert page.locator("[role=tab][data-tab=saved]").count() == 0


def test_block_from_a_profile_after_confirming(desktop_page, stage, django_db_blocker):  # noqa: ANN001
    from profiles.models import Block

    page = desktop_page
    log_in(page, stage.fan.username)
    page.goto(f"/@{stage.owner.username}")
    page.click("[data-role=profile-more]")
    page.click("[data-role=block-open]")
    page.wait_for_selector("#block-dialog[open]")

    page.click("#block-dialog [data-role=block-confirm]")

    page.wait_for_selector("[data-role=unblock]", timeout=WAIT_TIMEOUT_MS)
    assert _db(
        django_db_blocker,
        lambda: Block.objects.filter(blocker=stage.fan, blocked=stage.owner).exists(),
    )
    assert page.locator("[data-role=profile-more]").count() == 0


def test_the_share_sheet_sends_the_video_to_a_user(
    desktop_page, stage, web_seed, django_db_blocker
):  # noqa: ANN001
    from videos.models import Share

    page = desktop_page
    log_in(page, stage.fan.username)
    page.goto(f"/v/{stage.video.pk}")
    shares = page.locator(".video-actions [data-count=shares]")
    before = int(shares.inner_text())
    page.click('.video-actions [data-action="share"]')
    page.wait_for_selector("#share-sheet[open]")
    page.fill("#share-to", "nobody_by_this_name")
    page.click("#share-sheet button[type=submit]")
    page.wait_for_selector("[data-role=share-error]", state="visible", timeout=WAIT_TIMEOUT_MS)
    assert page.inner_text("[data-role=share-error]") == "no such user"

    page.fill("#share-to", f"@{web_seed.users['viewer'].username}")
    page.click("#share-sheet button[type=submit]")

    page.wait_for_selector("#share-sheet", state="hidden", timeout=WAIT_TIMEOUT_MS)
    assert int(shares.inner_text()) == before + 1
    share = _db(django_db_blocker, lambda: Share.objects.get(video_id=stage.video.pk))
    assert (share.user_id, share.recipient_id, share.channel) == (
        stage.fan.pk,
        web_seed.users["viewer"].pk,
        "user",
    )


def test_the_feeds_share_sheet_copies_the_link(mobile_page, web_seed, django_db_blocker):  # noqa: ANN001
    from videos.models import Share

    page = mobile_page
    viewer = web_seed.users["viewer"]
    log_in(page, viewer.username)
    page.goto("/")
    wait_feed_playing(page, 0)
    video_id = active_video_id(page)

    tap_slide_action(page, "share")
    page.wait_for_selector("#share-sheet[open]")
    page.click("#share-sheet [data-role=share-copy]")

    page.wait_for_selector("#share-sheet", state="hidden", timeout=WAIT_TIMEOUT_MS)
    assert eventually(
        lambda: _db(
            django_db_blocker,
            lambda: Share.objects.filter(
                video_id=video_id, user=viewer, channel="copy_link"
            ).exists(),
        )
    )


def test_captions_cannot_be_saved_before_they_are_loaded(desktop_page, stage, django_db_blocker):  # noqa: ANN001
    # Saving before the segments came (a slow or failed request) sent an empty list, which
    # erased the whole transcript; Save stays disabled until they are in, and a failed load
    # says so and is tried again when the editor is opened again.
    from videos.models import Video

    spoken = [{"start": 0.0, "end": 1.5, "text": "hello there"}]
    _db(
        django_db_blocker,
        lambda: Video.objects.filter(pk=stage.video.pk).update(
            transcript="hello there", transcript_segments=spoken
        ),
    )
    page = desktop_page
    log_in(page, stage.owner.username)
    held = []
    detail = f"**/api/videos/{stage.video.pk}"
    page.route(detail, lambda route: route.abort())
    page.goto(f"/v/{stage.video.pk}")
    page.click(".captions-editor summary")
    page.wait_for_selector("[data-role=captions-error]", state="visible", timeout=WAIT_TIMEOUT_MS)
    assert page.is_disabled("[data-action=captions-save]")

    page.unroute(detail)
    page.route(detail, lambda route: held.append(route))
    page.click(".captions-editor summary")  # closed
    page.click(".captions-editor summary")  # open again: loads again, held
    for _ in range(WAIT_TIMEOUT_MS // 100):  # routes are handled while the page is driven
        if held:
            break
        page.wait_for_timeout(100)
    assert held and page.is_disabled("[data-action=captions-save]")
    for route in held:
        route.continue_()
    page.wait_for_selector(".captions-lines input", timeout=WAIT_TIMEOUT_MS)
    assert page.input_value(".captions-lines input") == "hello there"
    assert page.is_enabled("[data-action=captions-save]")
    page.fill(".captions-lines input", "hello everyone")
    page.click("[data-action=captions-save]")
    page.wait_for_selector("[data-role=captions-saved]", state="visible", timeout=WAIT_TIMEOUT_MS)
    stored = _db(django_db_blocker, lambda: Video.objects.get(pk=stage.video.pk))
    assert [segment["text"] for segment in stored.transcript_segments] == ["hello everyone"]
