"""Server-rendered pages (no browser): access rules, escaping, redirects, CSRF cookie."""

from __future__ import annotations

import pytest

from tests.factories import TagFactory, UserFactory, VideoFactory, VideoTagFactory
from videos.models import Privacy, VideoStatus

pytestmark = pytest.mark.django_db


def test_feed_page_sets_the_csrf_cookie(client):  # noqa: ANN001
    response = client.get("/")

    assert response.status_code == 200
    assert "csrftoken" in response.cookies


def test_following_page_renders_the_following_tab(client):  # noqa: ANN001
    response = client.get("/following")

    assert response.status_code == 200
    assert 'data-tab="following"' in response.text


def test_upload_page_sends_anonymous_visitors_to_log_in(client):  # noqa: ANN001
    response = client.get("/upload")

    assert response.status_code == 302
    assert response["Location"] == "/login?next=/upload"


def test_private_video_page_is_not_found_for_other_viewers(client):  # noqa: ANN001
    video = VideoFactory(privacy=Privacy.PRIVATE)
    client.force_login(UserFactory())

    response = client.get(f"/v/{video.pk}")

    assert response.status_code == 404


def test_private_video_page_is_shown_to_its_owner(client):  # noqa: ANN001
    video = VideoFactory(privacy=Privacy.PRIVATE, caption="just for me")
    client.force_login(video.owner)

    response = client.get(f"/v/{video.pk}")

    assert response.status_code == 200
    assert "just for me" in response.text


def test_profile_grid_escapes_a_script_caption(client):  # noqa: ANN001
    video = VideoFactory(caption="<script>alert(1)</script>")

    response = client.get(f"/@{video.owner.username}")

    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in response.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in response.text


def test_video_page_embeds_the_card_as_inert_json(client):  # noqa: ANN001
    video = VideoFactory(caption="</script><script>alert(1)</script>")

    response = client.get(f"/v/{video.pk}")

    assert "</script><script>alert(1)" not in response.text
    assert "\\u003C/script\\u003E" in response.text


def test_profile_hides_other_peoples_private_videos(client):  # noqa: ANN001
    owner = UserFactory()
    VideoFactory(owner=owner, caption="public one")
    VideoFactory(owner=owner, caption="secret one", privacy=Privacy.PRIVATE)

    response = client.get(f"/@{owner.username}")

    assert "public one" in response.text
    assert "secret one" not in response.text


def test_unknown_profile_is_not_found(client):  # noqa: ANN001
    assert client.get("/@nobody_here").status_code == 404


# A tag of the tests' own: the default taxonomy's tags (street-food, ...) are in the browser
# tests' committed seed, which shares this package's database, with its videos tagged.


def test_tag_page_lists_tagged_and_hashtagged_videos_only(client):  # noqa: ANN001
    tag = TagFactory(slug="noodle-bars", name="Noodle bars")
    tagged = VideoFactory(caption="noodles at night")
    VideoTagFactory(video=tagged, tag=tag)
    hashtagged = VideoFactory(caption="best ramen #noodle-bars")
    VideoFactory(caption="a quiet lake #lake")
    VideoFactory(caption="unfinished #noodle-bars", status=VideoStatus.PROCESSING)

    response = client.get("/tag/noodle-bars")

    ids = {card["id"] for card in response.context["cards"]}
    assert ids == {tagged.pk, hashtagged.pk}


def test_tag_page_matches_a_hashtag_spelling_of_the_tag(client):  # noqa: ANN001
    tag = TagFactory(slug="noodle-bars", name="Noodle bars")
    tagged = VideoFactory()
    VideoTagFactory(video=tagged, tag=tag)

    response = client.get("/tag/NoodleBars")

    assert response.context["tag"] == tag
    assert [card["id"] for card in response.context["cards"]] == [tagged.pk]


def test_logout_signs_out_on_post(client):  # noqa: ANN001
    client.force_login(UserFactory())

    assert client.get("/logout").status_code == 200
    assert "_auth_user_id" in client.session
    response = client.post("/logout")

    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_login_page_ignores_a_next_url_on_another_host(client):  # noqa: ANN001
    response = client.get("/login?next=https://evil.example/steal")

    assert response.context["next"] == "/"
