"""Reports of sounds: a case per sound, hidden pending review at the threshold, the queue's
"Hide sound", dismiss and reinstate; a removed sound stays removed when its audio is uploaded
again."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client

from moderation.models import Case
from sounds.models import Sound, SoundKind
from sounds.services import sound_from_audio
from tests.factories import BlockFactory, UserFactory
from tests.moderation.helpers import admin_action, report
from tests.sounds.media import melody, write_audio, write_reencoded_copy, write_video
from tests.support.errors import assert_error_shape
from videos.models import Video

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _threshold(settings):  # noqa: ANN001
    settings.MODERATION_AUTO_HIDE_REPORTS = 2


@pytest.fixture
def sound(tmp_path: Path) -> Sound:
    created, _ = sound_from_audio(
        path=write_audio(tmp_path / "riff.m4a", melody(3)),
        title="borrowed riff",
        creator=UserFactory(),
        kind=SoundKind.UPLOADED,
    )
    return created


@pytest.mark.parametrize("blocker", ["creator", "reporter"])
def test_reporting_a_sound_across_a_block_is_404_as_its_page_is(client_for, sound: Sound, blocker):  # noqa: ANN001
    reporter = UserFactory()
    if blocker == "creator":
        BlockFactory(blocker=sound.creator, blocked=reporter)
    else:
        BlockFactory(blocker=reporter, blocked=sound.creator)

    response = report(client_for(reporter), "sound", sound)

    assert_error_shape(response, 404)
    assert client_for(reporter).get(f"/api/sounds/{sound.pk}").status_code == 404
    assert not Case.objects.exists()


def _sound_status(client_for, sound: Sound) -> int:  # noqa: ANN001
    return client_for(UserFactory()).get(f"/api/sounds/{sound.pk}").status_code


def test_reporting_a_sound_opens_one_case_with_its_title(client_for, sound: Sound):  # noqa: ANN001
    first = report(client_for(UserFactory()), "sound", sound, reason="intellectual_property")
    assert first.status_code == 201, first.json()
    assert first.json()["kind"] == "sound"
    case = Case.objects.get()
    assert (case.kind, case.sound_id, case.snapshot) == ("sound", sound.pk, "borrowed riff")
    assert case.auto_hidden_at is None and _sound_status(client_for, sound) == 200


def test_a_sound_cannot_be_reported_by_its_creator_or_when_it_is_gone(client_for, sound: Sound):  # noqa: ANN001
    own = report(client_for(sound.creator), "sound", sound)
    assert_error_shape(own, 400, "cannot_report_own")
    Sound.objects.filter(pk=sound.pk).update(hidden_at="2026-01-01T00:00:00Z")
    assert_error_shape(report(client_for(UserFactory()), "sound", sound), 404, "sound_not_found")
    missing = client_for(UserFactory()).post(
        "/api/reports", {"kind": "sound", "reason": "spam"}, format="json"
    )
    assert_error_shape(missing, 400)
    assert "id" in missing.json()["fields"]
    assert not Case.objects.exists()


def test_distinct_reporters_hide_a_sound_pending_review_and_dismiss_shows_it_again(
    client_for,  # noqa: ANN001
    sound: Sound,
    admin_client: Client,
):
    for _ in range(2):
        report(client_for(UserFactory()), "sound", sound)
    sound.refresh_from_db()
    case = Case.objects.get()
    assert sound.hidden_at is not None and case.auto_hidden_at is not None
    assert _sound_status(client_for, sound) == 404

    admin_action(admin_client, "dismiss", case)

    sound.refresh_from_db()
    case.refresh_from_db()
    assert sound.hidden_at is None and case.status == "dismissed"
    assert _sound_status(client_for, sound) == 200


def test_hide_sound_removes_it_everywhere_and_reinstate_brings_it_back(
    client_for,  # noqa: ANN001
    sound: Sound,
    admin_client: Client,
    tmp_path: Path,
    settings,  # noqa: ANN001
):
    settings.EMBEDDER_URL = "http://127.0.0.1:9"  # search answers from text alone
    case = Case.objects.get(pk=report(client_for(UserFactory()), "sound", sound).json()["case_id"])

    response = admin_action(admin_client, "hide_sound", case)

    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.status, case.action) == ("actioned", "hide_sound")
    viewer = client_for(UserFactory())
    assert viewer.get(f"/api/sounds/{sound.pk}").status_code == 404
    assert viewer.get(f"/sound/{sound.pk}").status_code == 404
    found = viewer.get("/api/search", {"q": "borrowed riff", "type": "sounds"}).json()["items"]
    assert found == []
    # "Use this sound" no longer offers it.
    with write_video(tmp_path / "clip.mp4", None, seconds=2).open("rb") as handle:
        upload = viewer.post(
            "/api/videos", {"file": handle, "caption": "x", "sound": sound.pk}, format="multipart"
        )
    assert_error_shape(upload, 404, "sound_not_found")
    assert not Video.objects.exists()

    admin_action(admin_client, "reinstate", case, status="actioned")

    case.refresh_from_db()
    assert case.reinstated_at is not None
    assert viewer.get(f"/api/sounds/{sound.pk}").status_code == 200
    found = viewer.get("/api/search", {"q": "borrowed riff", "type": "sounds"}).json()["items"]
    assert [item["id"] for item in found] == [sound.pk]


def test_a_removed_sound_uploaded_again_stays_removed(
    client_for,  # noqa: ANN001
    sound: Sound,
    admin_client: Client,
    tmp_path: Path,
):
    case = Case.objects.get(pk=report(client_for(UserFactory()), "sound", sound).json()["case_id"])
    admin_action(admin_client, "hide_sound", case)
    copy = write_reencoded_copy(tmp_path / "copy.mp3", melody(3))

    with copy.open("rb") as handle:
        again = client_for(UserFactory()).post(
            "/api/sounds", {"file": handle, "title": "my riff"}, format="multipart"
        )

    assert_error_shape(again, 403, "sound_removed")
    assert list(Sound.objects.values_list("pk", flat=True)) == [sound.pk]


def test_hide_sound_on_a_video_case_is_refused_and_changes_nothing(
    client_for,  # noqa: ANN001
    video,  # noqa: ANN001
    admin_client: Client,
):
    report(client_for(UserFactory()), "video", video)
    case = Case.objects.get()

    page = admin_client.post(
        "/admin/moderation/case/?status=open",
        {"action": "hide_sound", "_selected_action": [case.pk], "index": 0},
        follow=True,
    ).content.decode()

    assert "is not about a sound" in page
    case.refresh_from_db()
    assert case.status == "open"


def test_the_sound_page_offers_report_to_others_not_to_its_creator(sound: Sound):
    other = Client()
    other.force_login(UserFactory())
    owner = Client()
    owner.force_login(sound.creator)

    assert 'data-report-kind="sound"' in other.get(f"/sound/{sound.pk}").content.decode()
    assert 'data-report-kind="sound"' not in owner.get(f"/sound/{sound.pk}").content.decode()


def test_the_queue_links_a_sound_case_to_its_page(client_for, sound: Sound, admin_client: Client):  # noqa: ANN001
    report(client_for(UserFactory()), "sound", sound)

    page = admin_client.get("/admin/moderation/case/").content.decode()

    assert f'href="/sound/{sound.pk}"' in page and "borrowed riff" in page


def test_suspending_from_a_case_that_hid_the_sound_then_reinstating_shows_it_again(
    client_for,  # noqa: ANN001
    sound: Sound,
    admin_client: Client,
    settings,  # noqa: ANN001
):
    settings.MODERATION_AUTO_HIDE_MIN_ACCOUNT_AGE_HOURS = 0
    for _ in range(2):
        report(client_for(UserFactory()), "sound", sound)
    case = Case.objects.get(kind="sound")
    assert case.auto_hidden_at is not None
    admin_action(admin_client, "suspend_user", case)

    admin_action(admin_client, "reinstate", case, status="actioned")

    sound.refresh_from_db()
    assert sound.hidden_at is None
    assert _sound_status(client_for, sound) == 200
