"""Server-rendered parts of the video and profile pages' actions (no browser): who gets the
owner's tools, the tabs and the block menu."""

from __future__ import annotations

import pytest

from tests.factories import BlockFactory, UserFactory, VideoFactory

pytestmark = pytest.mark.django_db


def test_the_owner_gets_the_edit_and_delete_tools(client):  # noqa: ANN001
    video = VideoFactory(caption="mine")
    client.force_login(video.owner)

    response = client.get(f"/v/{video.pk}")

    assert 'data-role="edit-form"' in response.text
    assert 'id="delete-video-dialog"' in response.text
    assert "js/video_owner.js" in response.text


def test_other_viewers_get_no_owner_tools(client):  # noqa: ANN001
    video = VideoFactory()
    client.force_login(UserFactory())

    response = client.get(f"/v/{video.pk}")

    assert response.status_code == 200
    assert 'data-role="edit-form"' not in response.text
    assert "js/video_owner.js" not in response.text


def test_the_video_page_has_the_share_sheet(client):  # noqa: ANN001
    response = client.get(f"/v/{VideoFactory().pk}")

    assert 'id="share-sheet"' in response.text


def test_your_own_profile_has_videos_liked_and_saved_tabs(client):  # noqa: ANN001
    user = UserFactory()
    client.force_login(user)

    response = client.get(f"/@{user.username}")

    for tab in ("videos", "liked", "saved"):
        assert f'data-tab="{tab}"' in response.text
    assert 'data-role="profile-more"' not in response.text


def test_another_profile_has_no_saved_tab_and_a_block_menu(client):  # noqa: ANN001
    other = UserFactory()
    client.force_login(UserFactory())

    response = client.get(f"/@{other.username}")

    assert 'data-tab="liked"' in response.text
    assert 'data-tab="saved"' not in response.text
    assert 'data-role="block-open"' in response.text


def test_a_blocked_profile_offers_unblock_and_no_lists_or_block_menu(client):  # noqa: ANN001
    viewer, other = UserFactory(), UserFactory()
    BlockFactory(blocker=viewer, blocked=other)
    client.force_login(viewer)

    response = client.get(f"/@{other.username}")

    assert 'data-role="unblock"' in response.text
    assert 'data-tab="liked"' not in response.text
    assert 'data-role="block-open"' not in response.text
