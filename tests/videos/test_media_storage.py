"""Media in the object store: files follow rows (a deleted video, account or admin selection
leaves no object), the orphan sweep, moving an installation's media to the store, and a worker
that processes a video with nothing on its local disk."""

from __future__ import annotations

import os
import secrets
import time
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from sounds.models import Sound
from tests.conftest import child_env, start_celery_worker, stop_process
from tests.factories import UserFactory, VideoFactory
from videos.models import PipelineStep, StepName, Video, VideoStatus

pytestmark = pytest.mark.django_db

WORKER_WAIT_SECONDS = 180
RENDITION_FILES = ("original.mp4", "video.mp4", "hls/index.m3u8", "hls/seg_000.ts", "poster.jpg")


def _stored_video(store, **fields) -> Video:  # noqa: ANN001, ANN003
    video = VideoFactory(**fields)
    prefix = f"videos/{video.media_key}/"
    for name in RENDITION_FILES:
        store.put(prefix + name, b"bytes of " + name.encode())
    video.mp4.name, video.original.name = prefix + "video.mp4", prefix + "original.mp4"
    video.save(update_fields=["mp4", "original"])
    return video


def test_deleting_an_account_leaves_none_of_its_objects(
    media_store, celery_eager, django_capture_on_commit_callbacks
):  # noqa: ANN001
    owner = UserFactory()
    _stored_video(media_store, owner=owner)
    _stored_video(media_store, owner=owner)
    owner.avatar.name = media_store.put(f"avatars/{owner.pk}/avatar-a1b2c3.jpg", b"\xff\xd8\xff")
    owner.save(update_fields=["avatar"])
    kept = _stored_video(media_store)
    with django_capture_on_commit_callbacks(execute=True):
        owner.delete()
    assert media_store.names() == sorted(
        f"videos/{kept.media_key}/{name}" for name in RENDITION_FILES
    )


def test_an_admin_bulk_delete_removes_the_objects(
    client, media_store, celery_eager, django_capture_on_commit_callbacks
):  # noqa: ANN001
    staff = UserFactory(is_staff=True, is_superuser=True)
    videos = [_stored_video(media_store) for _ in range(3)]
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/admin/videos/video/",
            {
                "action": "delete_selected",
                "_selected_action": [v.pk for v in videos[:2]],
                "post": "yes",
            },
        )
    assert response.status_code == 302
    assert media_store.names() == sorted(
        f"videos/{videos[2].media_key}/{name}" for name in RENDITION_FILES
    )


def test_the_orphan_sweep_finds_planted_orphans_and_spares_the_rest(media_store):  # noqa: ANN001
    video = _stored_video(media_store)
    user = UserFactory()
    user.avatar.name = media_store.put(f"avatars/{user.pk}/avatar-used.jpg", b"\xff\xd8\xff")
    user.save(update_fields=["avatar"])
    orphans = sorted(
        [
            media_store.put(f"videos/{secrets.token_hex(16)}/video.mp4", b"left behind"),
            media_store.put(f"videos/{secrets.token_hex(16)}/hls/seg_000.ts", b"left behind"),
            media_store.put("avatars/999999/avatar-gone.jpg", b"\xff\xd8\xff"),
            media_store.put(f"sounds/{secrets.token_hex(16)}/audio.m4a", b"left behind"),
        ]
    )
    kept_sound = Sound.objects.create(title="kept", creator=user, kind="uploaded")
    media_store.put(f"sounds/{kept_sound.media_key}/audio.m4a", b"a sound")
    before = media_store.names()

    out = StringIO()
    call_command("media_orphans", "--dry-run", "--min-age-minutes", "0", stdout=out)
    assert sorted(out.getvalue().splitlines()[:-1]) == orphans
    assert "found 4 orphaned file(s)" in out.getvalue()
    assert media_store.names() == before

    call_command("media_orphans", "--min-age-minutes", "0", stdout=StringIO())
    assert media_store.names() == sorted(set(before) - set(orphans))
    assert f"videos/{video.media_key}/video.mp4" in media_store.names()
    assert f"sounds/{kept_sound.media_key}/audio.m4a" in media_store.names()


def test_the_orphan_sweep_leaves_recent_files_alone(media_store):  # noqa: ANN001
    media_store.put(f"videos/{secrets.token_hex(16)}/original.mp4", b"an upload in progress")
    out = StringIO()
    call_command("media_orphans", stdout=out)
    assert "deleted 0 orphaned file(s)" in out.getvalue()
    assert len(media_store.names()) == 1


def _legacy_tree(root: Path, video: Video) -> list[str]:
    files = {
        "original.mp4": b"original",
        "video.mp4": b"mp4",
        "hls/index.m3u8": b"#EXTM3U\n",
        "hls/seg_000.ts": b"\x47" * 188,
        "poster.jpg": b"\xff\xd8\xff",
        "frames/frame_000.jpg": b"\xff\xd8\xff",
        "audio.wav": b"RIFF",
    }
    for name, data in files.items():
        path = root / "videos" / str(video.pk) / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return sorted(files)


def _legacy_video(**fields) -> Video:  # noqa: ANN003
    video = VideoFactory(**fields)
    old = f"videos/{video.pk}/"
    video.original.name, video.mp4.name = old + "original.mp4", old + "video.mp4"
    video.hls_playlist.name, video.poster.name = old + "hls/index.m3u8", old + "poster.jpg"
    video.save()
    PipelineStep.objects.update_or_create(
        video=video,
        name=StepName.TRANSCODE,
        defaults={"detail": {"frames": [old + "frames/frame_000.jpg"], "audio": old + "audio.wav"}},
    )
    return video


def test_media_migrate_moves_a_local_tree_into_the_store(client, tmp_path, media_store):  # noqa: ANN001
    video = _legacy_video()
    names = _legacy_tree(tmp_path, video)
    owner = video.owner
    owner.avatar.name = f"avatars/{owner.pk}/avatar-old.jpg"
    owner.save(update_fields=["avatar"])
    (tmp_path / owner.avatar.name).parent.mkdir(parents=True)
    (tmp_path / owner.avatar.name).write_bytes(b"\xff\xd8\xff")

    call_command("media_migrate", "--from-folder", str(tmp_path), "--dry-run", stdout=StringIO())
    assert media_store.names() == []

    out = StringIO()
    call_command("media_migrate", "--from-folder", str(tmp_path), stdout=out)

    prefix = f"videos/{video.media_key}/"
    assert media_store.names() == sorted([prefix + name for name in names] + [owner.avatar.name])
    video.refresh_from_db()
    assert video.mp4.name == prefix + "video.mp4"
    assert video.hls_playlist.name == prefix + "hls/index.m3u8"
    step = PipelineStep.objects.get(video=video, name=StepName.TRANSCODE)
    assert step.detail == {
        "frames": [prefix + "frames/frame_000.jpg"],
        "audio": prefix + "audio.wav",
    }
    assert client.get(f"/media/{video.mp4.name}").status_code == 200
    assert f"video {video.pk}: moved {len(names)} files" in out.getvalue()
    # Again: nothing left to move.
    call_command("media_migrate", "--from-folder", str(tmp_path), stdout=StringIO())
    assert media_store.names() == sorted([prefix + name for name in names] + [owner.avatar.name])


def test_media_migrate_renames_the_old_layout_inside_the_store(media_store):  # noqa: ANN001
    video = _legacy_video()
    for name in ("video.mp4", "hls/index.m3u8", "poster.jpg"):
        media_store.put(f"videos/{video.pk}/{name}", name.encode())
    call_command("media_migrate", stdout=StringIO())
    prefix = f"videos/{video.media_key}/"
    assert media_store.names() == [
        prefix + "hls/index.m3u8",
        prefix + "poster.jpg",
        prefix + "video.mp4",
    ]
    assert media_store.read(prefix + "poster.jpg") == b"poster.jpg"


def test_media_migrate_again_never_overwrites_a_file_in_the_new_layout(tmp_path, media_store):  # noqa: ANN001
    video = _legacy_video()
    _legacy_tree(tmp_path, video)
    call_command("media_migrate", "--from-folder", str(tmp_path), stdout=StringIO())
    prefix = f"videos/{video.media_key}/"
    newer = b"a newer transcode, longer than the old one"
    media_store.put(prefix + "video.mp4", newer)  # the video was reprocessed since

    call_command("media_migrate", "--from-folder", str(tmp_path), stdout=StringIO())
    assert media_store.read(prefix + "video.mp4") == newer

    # Nor does a legacy object left in the store replace the current one.
    media_store.put(f"videos/{video.pk}/video.mp4", b"mp4")
    call_command("media_migrate", stdout=StringIO())
    assert media_store.read(prefix + "video.mp4") == newer
    assert f"videos/{video.pk}/video.mp4" not in media_store.names()


def test_media_migrate_does_not_follow_links_out_of_the_folder(tmp_path, media_store):  # noqa: ANN001
    media = tmp_path / "media"
    video = _legacy_video()
    _legacy_tree(media, video)
    secret = tmp_path / "secret.txt"
    secret.write_bytes(b"SECRET=hunter2")
    poster = media / "videos" / str(video.pk) / "poster.jpg"
    poster.unlink()
    poster.symlink_to(secret)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "passwd").write_bytes(b"root:x:0:0")
    (media / "videos" / str(video.pk) / "frames" / "linked").symlink_to(elsewhere)

    call_command("media_migrate", "--from-folder", str(media), stdout=StringIO())

    names = media_store.names()
    prefix = f"videos/{video.media_key}/"
    assert prefix + "video.mp4" in names  # the regular files moved
    assert prefix + "poster.jpg" not in names
    assert not [name for name in names if "passwd" in name]


def test_media_migrate_goes_on_past_a_video_that_fails_and_names_it(
    tmp_path,  # noqa: ANN001
    media_store,  # noqa: ANN001
    monkeypatch,  # noqa: ANN001
) -> None:
    from videos.management.commands import media_migrate

    broken, fine = _legacy_video(), _legacy_video()
    _legacy_tree(tmp_path, broken)
    _legacy_tree(tmp_path, fine)
    real = media_migrate.storage_put

    def put(name, source):  # noqa: ANN001, ANN202
        if name.startswith(f"videos/{broken.media_key}/"):
            raise RuntimeError("rename failed")
        return real(name, source)

    monkeypatch.setattr(media_migrate, "storage_put", put)
    err = StringIO()
    with pytest.raises(CommandError, match="1 video"):
        call_command("media_migrate", "--from-folder", str(tmp_path), stdout=StringIO(), stderr=err)
    assert f"video {broken.pk}: RuntimeError: rename failed" in err.getvalue()
    fine.refresh_from_db()
    assert fine.mp4.name == f"videos/{fine.media_key}/video.mp4"
    broken.refresh_from_db()
    assert broken.mp4.name == f"videos/{broken.pk}/video.mp4"  # left as it was


def test_media_migrate_from_a_missing_folder_exits_with_the_reason(tmp_path):  # noqa: ANN001
    with pytest.raises(CommandError, match="no such folder"):
        call_command("media_migrate", "--from-folder", str(tmp_path / "nope"))


@pytest.mark.django_db(transaction=True)  # the worker is another process: rows must be committed
def test_a_worker_with_an_empty_local_disk_processes_a_video(
    embedder, auth_client, user, clip, tmp_path
):  # noqa: ANN001
    scratch = tmp_path / "worker-tmp"
    scratch.mkdir()
    env = child_env(TMPDIR=str(scratch), MEDIA_ROOT=str(tmp_path / "no-such-media-root"))
    worker = start_celery_worker(env=env, log_path=tmp_path / "worker.log")
    try:
        with clip.open("rb") as handle:
            response = auth_client.post(
                "/api/videos", {"file": handle, "caption": "a tone"}, format="multipart"
            )
        assert response.status_code == 201, response.json()
        video = Video.objects.get(pk=response.json()["id"])
        deadline = time.monotonic() + WORKER_WAIT_SECONDS
        while time.monotonic() < deadline:
            video.refresh_from_db()
            if video.status in (VideoStatus.READY, VideoStatus.FAILED):
                break
            time.sleep(0.5)
    finally:
        stop_process(worker)
    assert video.status == VideoStatus.READY, (
        video.failure_reason,
        (tmp_path / "worker.log").read_text()[-3000:],
    )
    assert not (tmp_path / "no-such-media-root").exists()
    # Working copies removed (the pipeline's temp root, PIPELINE_TEMP_ROOT, stays, empty).
    assert [p for p in scratch.rglob("*") if not p.is_dir()] == []


def test_a_large_object_read_through_the_storage_is_spooled_to_disk_not_memory(media_store):  # noqa: ANN001
    """django-storages keeps an S3 object it opens in a spooled file; with its default size
    limit (0) that is all in memory, and a transcode opened a 200 MB original that way."""
    from django.core.files.storage import default_storage

    big = b"\x00" * (9 * 1024 * 1024)
    media_store.put("videos/0123456789abcdef0123456789abcdef/original.mp4", big)
    with default_storage.open("videos/0123456789abcdef0123456789abcdef/original.mp4") as handle:
        assert handle.read(16) == big[:16]
        assert handle.file._rolled  # past 8 MB the bytes are in a temporary file


def test_media_bucket_ensure_creates_the_bucket_once(settings, media_store):  # noqa: ANN001
    import copy
    import uuid

    storages = copy.deepcopy(settings.STORAGES)
    name = f"bucket-{uuid.uuid4().hex[:12]}"
    storages["default"]["OPTIONS"]["bucket_name"] = name
    settings.STORAGES = storages
    settings.S3_BUCKET = name
    first, second = StringIO(), StringIO()
    call_command("media_bucket_ensure", stdout=first)
    call_command("media_bucket_ensure", stdout=second)
    assert first.getvalue().strip() == f"bucket {name}: created"
    assert second.getvalue().strip() == f"bucket {name}: already exists"


def test_media_bucket_ensure_waits_then_names_an_unreachable_store(settings, media_store):  # noqa: ANN001
    import copy

    storages = copy.deepcopy(settings.STORAGES)
    storages["default"]["OPTIONS"]["endpoint_url"] = "http://127.0.0.1:9"
    settings.STORAGES = storages
    with pytest.raises(CommandError, match="media storage is unavailable"):
        call_command("media_bucket_ensure", "--wait", "0.5", stdout=StringIO())
    with pytest.raises(CommandError, match="--wait must be 0 or more"):
        call_command("media_bucket_ensure", "--wait", "-1", stdout=StringIO())


def test_a_new_worker_process_removes_what_killed_steps_left_and_spares_live_ones(
    settings,  # noqa: ANN001
    tmp_path: Path,
) -> None:
    import socket
    import subprocess
    import sys

    from tiktok.celery import _remove_what_killed_steps_left

    settings.PIPELINE_TEMP_ROOT = tmp_path / "pipeline-temp"
    root = settings.PIPELINE_TEMP_ROOT
    host = socket.gethostname()
    ended = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    killed = root / f"{host}-{int(ended.stdout)}"  # a process that is gone: any age
    (killed / "transcode-x" / "hls").mkdir(parents=True)
    (killed / "transcode-x" / "hls" / "seg_000.ts").write_bytes(b"segment")
    # This process's own folder, last changed long ago (a --sync step reading one copy for
    # longer than any hard limit): spared while the process runs.
    live = root / f"{host}-{os.getpid()}"
    live.mkdir()
    (live / "tmpcopy.mp4").write_bytes(b"a copy being read")
    (root / "tmpold.mp4").write_bytes(b"a loose copy from before")
    (root / "otherhost-12").mkdir()  # another machine's, on a shared disk
    (root / "otherhost-13").mkdir()
    longest = max(settings.PIPELINE_STEP_TIME_LIMITS.values())
    long_ago = time.time() - longest - settings.PIPELINE_HARD_LIMIT_GRACE_SECONDS - 60
    for entry in (live, root / "tmpold.mp4", root / "otherhost-12"):
        os.utime(entry, (long_ago, long_ago))

    _remove_what_killed_steps_left()

    assert sorted(p.name for p in root.iterdir()) == sorted([live.name, "otherhost-13"])
    assert (live / "tmpcopy.mp4").read_bytes() == b"a copy being read"


def test_a_copy_of_a_stored_file_is_made_under_the_pipelines_temp_root(
    settings,  # noqa: ANN001
    tmp_path: Path,
    media_store,  # noqa: ANN001
) -> None:
    from tiktok.storage import storage_local_path

    if settings.STORAGE_BACKEND != "s3":
        pytest.skip("the filesystem backend reads the stored file itself")
    settings.PIPELINE_TEMP_ROOT = tmp_path / "pipeline-temp"
    media_store.put("videos/x/original.mp4", b"bytes")
    with storage_local_path("videos/x/original.mp4") as copy:
        assert copy.parent.parent == settings.PIPELINE_TEMP_ROOT
        assert copy.read_bytes() == b"bytes"


def test_a_bucket_on_aws_outside_us_east_1_is_created_in_its_region(settings) -> None:  # noqa: ANN001
    # AWS refuses a bare CreateBucket outside us-east-1 (IllegalLocationConstraintException).
    from tiktok.storage import bucket_location

    settings.S3_ENDPOINT_URL, settings.S3_REGION = "", "eu-west-1"
    assert bucket_location() == {"CreateBucketConfiguration": {"LocationConstraint": "eu-west-1"}}
    settings.S3_REGION = "us-east-1"
    assert bucket_location() == {}
    settings.S3_ENDPOINT_URL, settings.S3_REGION = "http://seaweedfs:8333", "eu-west-1"
    assert bucket_location() == {}  # a store of our own takes no location
