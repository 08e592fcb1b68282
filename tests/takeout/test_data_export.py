"""Download your data: the archive holds what the product stores about the person (and nothing
of anyone else's), only its owner downloads it, and it is rate-limited, expired, recovered and
deleted as documented (docs/social.md, "Download your data")."""

from __future__ import annotations

import copy
import io
import json
import uuid
import zipfile
from datetime import timedelta

import pytest
from django.utils import timezone
from kombu.exceptions import OperationalError

import takeout.services
from feed.models import HiddenVideo, Interaction
from moderation.models import Case
from moderation.services import report_create
from notifications.models import Notification, NotificationKind
from profiles.models import Block, Follow
from profiles.services.account_deletion import account_delete
from profiles.services.graph import block_create
from sounds.models import Sound
from studio.models import FollowChange
from takeout.build import data_export_build
from takeout.models import DataExport, ExportState
from takeout.sweep import data_exports_sweep
from takeout.tasks import data_exports_sweep_task
from tests.factories import UserFactory, VideoFactory
from videos.models import Comment, Like, Save, Share

pytestmark = pytest.mark.django_db(transaction=False)

MP4 = b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 40
ORIGINAL = b"\x1aE\xdf\xa3 an uploaded webm " + bytes(range(200)) * 10
AUDIO = b"\x00\x00\x00\x1cftypM4A " + bytes(range(100)) * 7


@pytest.fixture
def run_commits(django_capture_on_commit_callbacks, celery_eager):  # noqa: ANN001
    def run(action):  # noqa: ANN001, ANN202
        with django_capture_on_commit_callbacks(execute=True):
            return action()

    return run


def _ask(client, run_commits):  # noqa: ANN001, ANN202
    return run_commits(lambda: client.post("/api/me/data-exports"))


def _archive(client, export_id: int) -> zipfile.ZipFile:  # noqa: ANN001
    response = client.get(f"/api/me/data-exports/{export_id}/download")
    assert response.status_code == 200, response
    assert response["Content-Type"] == "application/zip"
    assert response["Cache-Control"] == "private, no-store"
    assert response["Content-Disposition"].startswith("attachment;")
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


def _records(archive: zipfile.ZipFile, name: str) -> list[dict]:
    return json.loads(archive.read(f"{name}.json"))


@pytest.fixture
def world(media_store):  # noqa: ANN001, ANN201
    """alice and the people around her, each with data of their own."""
    alice = UserFactory(username="alice", email="alice@example.com", bio="cats and bikes")
    bob, carol, dave = UserFactory(username="bob"), UserFactory(username="carol"), UserFactory()
    mine = VideoFactory(owner=alice, caption="my first #bike ride", original_filename="ride.webm")
    media_store.put(f"videos/{mine.media_key}/video.mp4", MP4)
    media_store.put(f"videos/{mine.media_key}/original.webm", ORIGINAL)
    mine.mp4 = f"videos/{mine.media_key}/video.mp4"
    mine.original = f"videos/{mine.media_key}/original.webm"
    mine.save(update_fields=["mp4", "original"])
    theirs = VideoFactory(owner=bob, caption="bob's video")
    Like.objects.create(user=alice, video=theirs)
    Save.objects.create(user=alice, video=theirs)
    Comment.objects.create(author=alice, video=theirs, body="nice one, bob")
    Comment.objects.create(author=bob, video=mine, body="bob wrote this on alice's video")
    Share.objects.create(user=alice, video=theirs, channel="user", recipient=carol)
    Share.objects.create(user=bob, video=theirs, channel="user", recipient=alice)
    Follow.objects.create(follower=alice, followee=bob)
    Follow.objects.create(follower=carol, followee=alice)
    Block.objects.create(blocker=alice, blocked=dave)
    Block.objects.create(blocker=bob, blocked=carol)
    for who, video, kind in ((alice, theirs, "finish"), (bob, mine, "skip")):
        Interaction.objects.create(
            event_id=uuid.uuid4(), user=who, video=video, type=kind, watch_ms=4200
        )
    HiddenVideo.objects.create(user=alice, video=VideoFactory(owner=bob))
    report_create(reporter=alice, kind="video", item_id=theirs.pk, reason="spam")
    FollowChange.objects.create(follower=alice, followee=bob, delta=1, created_at=timezone.now())
    FollowChange.objects.create(follower=bob, followee=carol, delta=1, created_at=timezone.now())
    tune = Sound.objects.create(title="alice's tune", creator=alice, kind="uploaded")
    tune.audio.name = media_store.put(f"sounds/{tune.media_key}/audio.m4a", AUDIO)
    tune.save(update_fields=["audio"])
    Case.objects.create(
        kind="video",
        video=mine,
        target_user=alice,
        snapshot="my first #bike ride",
        status="actioned",
        action="hide_video",
        resolved_at=timezone.now(),
    )
    Notification.objects.create(
        recipient=alice, kind=NotificationKind.LIKE, group_key="like:video:1", actor=bob
    )
    return {
        "alice": alice,
        "bob": bob,
        "carol": carol,
        "mine": mine,
        "theirs": theirs,
        "tune": tune,
    }


def test_the_archive_holds_the_persons_data_and_their_files(world, client_for, run_commits):  # noqa: ANN001
    alice, mine, theirs = world["alice"], world["mine"], world["theirs"]
    client = client_for(alice)
    asked = _ask(client, run_commits)
    assert asked.status_code == 202, asked.json()
    assert asked.json()["state"] == ExportState.PENDING

    listed = client.get("/api/me/data-exports").json()["results"][0]
    assert listed["state"] == ExportState.READY and listed["size_bytes"] > len(MP4)
    archive = _archive(client, listed["id"])

    account = _records(archive, "account")[0]
    assert (account["username"], account["email"], account["bio"]) == (
        "alice",
        "alice@example.com",
        "cats and bikes",
    )
    videos = _records(archive, "videos")
    assert [v["caption"] for v in videos] == ["my first #bike ride"]
    assert videos[0]["files"] == [
        f"media/videos/{mine.pk}.mp4",
        f"media/videos/{mine.pk}-original.webm",
    ]
    assert archive.read(f"media/videos/{mine.pk}.mp4") == MP4
    assert archive.read(f"media/videos/{mine.pk}-original.webm") == ORIGINAL
    assert [c["text"] for c in _records(archive, "comments")] == ["nice one, bob"]
    assert [r["video_id"] for r in _records(archive, "likes")] == [theirs.pk]
    assert [r["video_id"] for r in _records(archive, "saves")] == [theirs.pk]
    assert [(s["video_id"], s["to"]) for s in _records(archive, "shares")] == [(theirs.pk, "carol")]
    assert [(s["video_id"], s["from"]) for s in _records(archive, "shares_received")] == [
        (theirs.pk, "bob")
    ]
    assert [r["username"] for r in _records(archive, "following")] == ["bob"]
    assert [r["username"] for r in _records(archive, "followers")] == ["carol"]
    assert len(_records(archive, "blocks")) == 1
    history = _records(archive, "watch_history")
    assert [(h["video_id"], h["event"], h["watched_ms"]) for h in history] == [
        (theirs.pk, "finish", 4200)
    ]
    assert len(_records(archive, "not_interested")) == 1
    assert [(r["item"], r["reason"]) for r in _records(archive, "reports")] == [("video", "spam")]
    decisions = _records(archive, "moderation_decisions")
    assert [(d["video_id"], d["action"]) for d in decisions] == [(mine.pk, "hide_video")]
    assert [(f["username"], f["change"]) for f in _records(archive, "follow_history")] == [
        ("bob", 1)
    ]
    tune = world["tune"]
    assert [s["title"] for s in _records(archive, "sounds")] == ["alice's tune"]
    assert archive.read(f"media/sounds/{tune.pk}.m4a") == AUDIO
    notes = _records(archive, "notifications")
    assert [(n["kind"], n["people"]) for n in notes] == [("like", ["bob"])]
    readme = archive.read("README.txt").decode()
    assert "@alice" in readme and "- watch_history.json (1):" in readme

    # Nothing of anyone else's: bob's comment, his watching, his blocks.
    everything = b"".join(archive.read(n) for n in archive.namelist() if n.endswith(".json"))
    assert b"bob wrote this" not in everything
    assert b'"skip"' not in everything
    assert len(_records(archive, "blocks")) == 1


def test_ready_is_notified_and_linked_from_settings(world, client_for, run_commits):  # noqa: ANN001
    client = client_for(world["alice"])
    _ask(client, run_commits)
    note = Notification.objects.get(recipient=world["alice"], kind="data_export_ready")
    page = client.get("/api/notifications").json()["results"]
    shown = next(item for item in page if item["id"] == note.pk)
    assert shown["text"] == "Your data archive is ready to download"
    assert shown["url"] == "/settings#data"
    client.force_login(world["alice"])
    assert b'data-role="data-export"' in client.get("/settings").content


def test_only_the_owner_downloads_it(world, client_for, run_commits):  # noqa: ANN001
    _ask(client_for(world["alice"]), run_commits)
    export = DataExport.objects.get(user=world["alice"])
    url = f"/api/me/data-exports/{export.pk}/download"
    other = client_for(world["bob"]).get(url)
    assert other.status_code == 404 and other.json()["error"] == "export_not_found"
    assert client_for(None).get(url).status_code == 401
    assert client_for(world["bob"]).get("/api/me/data-exports").json()["results"] == []


def test_a_range_of_the_archive(world, client_for, run_commits):  # noqa: ANN001
    client = client_for(world["alice"])
    _ask(client, run_commits)
    export = DataExport.objects.get(user=world["alice"])
    url = f"/api/me/data-exports/{export.pk}/download"
    whole = b"".join(client.get(url).streaming_content)
    part = client.get(url, HTTP_RANGE="bytes=10-19")
    assert part.status_code == 206
    assert part["Content-Range"] == f"bytes 10-19/{len(whole)}"
    assert b"".join(part.streaming_content) == whole[10:20]
    assert client.get(url, HTTP_RANGE=f"bytes={len(whole)}-").status_code == 416


def test_asking_again_while_it_is_made_returns_it_and_while_ready_waits(
    world, client_for, run_commits, settings
):  # noqa: ANN001
    client = client_for(world["alice"])
    first = client.post("/api/me/data-exports")  # its task is not run: still pending
    again = client.post("/api/me/data-exports")
    assert (first.status_code, again.status_code) == (202, 200)
    assert again.json()["id"] == first.json()["id"]
    assert DataExport.objects.filter(user=world["alice"]).count() == 1

    run_commits(lambda: data_export_build(export_id=first.json()["id"]))
    too_soon = client.post("/api/me/data-exports")
    assert too_soon.status_code == 429
    assert too_soon.json()["error"] == "export_too_soon"
    assert int(too_soon["Retry-After"]) > 3600

    settings.TAKEOUT_REQUEST_INTERVAL_HOURS = 0
    assert _ask(client, run_commits).status_code == 202
    assert DataExport.objects.filter(user=world["alice"], state="ready").count() == 2


def test_with_the_broker_down_the_request_is_recorded_and_the_sweep_sends_it(
    world, client_for, run_commits, monkeypatch, settings
):  # noqa: ANN001
    def broker_down(**kwargs: int) -> None:
        raise OperationalError("Error 111 connecting to the broker")

    with monkeypatch.context() as patched:
        patched.setattr(takeout.services.data_export_build_task, "delay", broker_down)
        asked = _ask(client_for(world["alice"]), run_commits)
    assert asked.status_code == 202
    export = DataExport.objects.get(pk=asked.json()["id"])
    assert export.state == ExportState.PENDING
    DataExport.objects.filter(pk=export.pk).update(requested_at=timezone.now() - timedelta(hours=1))
    run_commits(data_exports_sweep_task)
    assert DataExport.objects.get(pk=export.pk).state == ExportState.READY


def test_a_task_sent_twice_builds_once(world, run_commits, media_store):  # noqa: ANN001
    export = DataExport.objects.create(user=world["alice"])
    assert run_commits(lambda: data_export_build(export_id=export.pk)) == ExportState.READY
    stored = media_store.read(DataExport.objects.get(pk=export.pk).object_name)
    assert data_export_build(export_id=export.pk) == ExportState.READY
    assert media_store.read(export.object_name) == stored
    assert Notification.objects.filter(kind="data_export_ready").count() == 1
    assert data_export_build(export_id=export.pk + 1000) == "gone"


def test_a_failed_build_stores_nothing_and_may_be_asked_again(
    world, client_for, run_commits, settings, media_store
):  # noqa: ANN001
    client = client_for(world["alice"])
    working = copy.deepcopy(settings.STORAGES)
    broken = copy.deepcopy(settings.STORAGES)
    broken["default"].setdefault("OPTIONS", {})["bucket_name"] = f"gone-{uuid.uuid4().hex[:10]}"
    settings.STORAGES = broken
    asked = _ask(client, run_commits)
    settings.STORAGES = working
    export = DataExport.objects.get(pk=asked.json()["id"])
    assert export.state == ExportState.FAILED
    assert "could not be made" in export.error
    assert media_store.names("exports") == []
    download = client.get(f"/api/me/data-exports/{export.pk}/download")
    assert download.status_code == 409 and download.json()["error"] == "export_not_ready"
    assert _ask(client, run_commits).status_code == 202


def test_deleting_the_account_deletes_its_archive(world, client_for, run_commits, media_store):  # noqa: ANN001
    alice = world["alice"]
    alice.set_password("correct horse battery")
    alice.save()
    _ask(client_for(alice), run_commits)
    assert len(media_store.names("exports")) == 1
    run_commits(lambda: account_delete(user=alice, password="correct horse battery"))
    assert media_store.names("exports") == []
    assert not DataExport.objects.exists()


def test_the_sweep_expires_recovers_and_cleans(
    world, client_for, run_commits, media_store, settings
):  # noqa: ANN001
    alice, bob, carol = world["alice"], world["bob"], world["carol"]
    client = client_for(alice)
    _ask(client, run_commits)
    ready = DataExport.objects.get(user=alice)
    DataExport.objects.filter(pk=ready.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    lost_build = DataExport.objects.create(
        user=bob, state=ExportState.BUILDING, started_at=timezone.now() - timedelta(hours=3)
    )
    lost_task = DataExport.objects.create(user=carol)
    DataExport.objects.filter(pk=lost_task.pk).update(
        requested_at=timezone.now() - timedelta(hours=1)
    )
    orphan = f"exports/{uuid.uuid4().hex}/data.zip"
    media_store.put(orphan, b"left behind by a crash")

    run_commits(data_exports_sweep_task)

    assert DataExport.objects.get(pk=ready.pk).state == ExportState.EXPIRED
    expired = client.get(f"/api/me/data-exports/{ready.pk}/download")
    assert expired.status_code == 404 and expired.json()["error"] == "export_expired"
    assert DataExport.objects.get(pk=lost_build.pk).state == ExportState.FAILED
    assert DataExport.objects.get(pk=lost_task.pk).state == ExportState.READY  # sent again
    # the orphan is young: left alone (a build may be writing it); old, it goes
    assert orphan in media_store.names("exports")
    settings.TAKEOUT_BUILD_TIMEOUT_MINUTES = 0
    done, lost = data_exports_sweep()
    assert (done["orphans"], lost) == (1, [])
    assert media_store.names("exports") == [DataExport.objects.get(pk=lost_task.pk).object_name]


def test_people_who_blocked_the_person_are_not_named(world, client_for, run_commits):  # noqa: ANN001
    alice, bob = world["alice"], world["bob"]
    run_commits(lambda: block_create(blocker=bob, blocked=alice))
    client = client_for(alice)
    _ask(client, run_commits)
    archive = _archive(client, DataExport.objects.get(user=alice).pk)
    assert _records(archive, "shares_received") == []
    assert _records(archive, "notifications") == []
    assert _records(archive, "following") == []  # the block ended the follow
    # her own rows stay, without naming bob (the app no longer shows him to her)
    assert [r["username"] for r in _records(archive, "follow_history")] == [None, None]
    assert [r["change"] for r in _records(archive, "follow_history")] == [1, -1]


def test_her_own_shares_keep_their_rows_without_naming_who_blocked_her_since(
    world, client_for, run_commits
):  # noqa: ANN001
    alice, carol = world["alice"], world["carol"]
    run_commits(lambda: block_create(blocker=carol, blocked=alice))
    client = client_for(alice)
    _ask(client, run_commits)
    archive = _archive(client, DataExport.objects.get(user=alice).pk)
    assert [(r["video_id"], r["to"]) for r in _records(archive, "shares")] == [
        (world["theirs"].pk, None)
    ]
    assert [r["username"] for r in _records(archive, "follow_history")] == ["bob"]


def test_at_most_so_many_a_day_whatever_became_of_them(world, client_for, run_commits, settings):  # noqa: ANN001
    settings.TAKEOUT_REQUEST_INTERVAL_HOURS = 0
    client = client_for(world["alice"])
    for _ in range(settings.TAKEOUT_REQUESTS_PER_DAY):
        assert _ask(client, run_commits).status_code == 202
    refused = _ask(client, run_commits)
    assert refused.status_code == 429 and refused.json()["error"] == "export_limit"
    assert 0 < int(refused["Retry-After"]) <= 24 * 3600


def test_past_its_time_it_is_not_served_before_the_sweep(world, client_for, run_commits):  # noqa: ANN001
    client = client_for(world["alice"])
    _ask(client, run_commits)
    export = DataExport.objects.get(user=world["alice"])
    url = f"/api/me/data-exports/{export.pk}/download"
    assert client.get(url)["ETag"] == f'"{export.key}"'
    DataExport.objects.filter(pk=export.pk).update(expires_at=timezone.now())
    late = client.get(url)
    assert late.status_code == 404 and late.json()["error"] == "export_expired"


def test_a_build_stops_before_filling_the_disk(
    world, client_for, run_commits, settings, media_store
):  # noqa: ANN001
    settings.TAKEOUT_MIN_FREE_DISK_BYTES = 1 << 60
    client = client_for(world["alice"])
    export = DataExport.objects.get(pk=_ask(client, run_commits).json()["id"])
    assert export.state == ExportState.FAILED and "too large" in export.error
    assert media_store.names("exports") == []


def test_a_build_lost_with_its_worker_is_taken_over_by_the_redelivered_task(
    world, run_commits, settings
):  # noqa: ANN001
    started = timezone.now() - timedelta(seconds=settings.LONG_TASK_TIME_LIMIT + 60)
    lost = DataExport.objects.create(user=world["alice"], state="building", started_at=started)
    running = DataExport.objects.create(
        user=world["bob"], state="building", started_at=timezone.now()
    )
    assert run_commits(lambda: data_export_build(export_id=lost.pk)) == ExportState.READY
    assert data_export_build(export_id=running.pk) == ExportState.BUILDING


def test_a_video_by_someone_blocked_either_way_is_not_among_the_shares_received(
    world, client_for, run_commits
):  # noqa: ANN001
    # A share of a blocked creator's video is stored for the sharer but never delivered.
    alice, carol = world["alice"], world["carol"]
    blocked = UserFactory()
    Block.objects.create(blocker=alice, blocked=blocked)
    Share.objects.create(
        user=carol, video=VideoFactory(owner=blocked), channel="user", recipient=alice
    )
    client = client_for(alice)
    _ask(client, run_commits)
    archive = _archive(client, DataExport.objects.get(user=alice).pk)
    assert [(s["video_id"], s["from"]) for s in _records(archive, "shares_received")] == [
        (world["theirs"].pk, "bob")
    ]
