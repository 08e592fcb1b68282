"""Move an installation's media to the current layout and store: `manage.py media_migrate
[--from-folder var/media] [--dry-run]`.

- Files under the old, guessable `videos/<id>/` layout (in the current store, or in a local
  folder given with --from-folder) are copied to `videos/<media_key>/` and the rows (file fields
  and the transcode step's frames and audio) are pointed at them; the old objects in the store
  are then deleted. A local folder is left as it was, for the operator to remove once the
  videos play.
- With --from-folder, files already in the new layout (a filesystem installation moving to S3)
  and avatars are copied under the same names.

Idempotent, and never overwrites: a file already in the new layout is kept as it is (a run
again after videos were reprocessed must not put their old files back); puts are whole or
nothing, so a file there is a complete one. Only regular files inside the folder are read: a
link, or a name leading out of it, is skipped. Exits non-zero with one line per failure when
anything could not be moved.
"""

from __future__ import annotations

import os
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from profiles.models import User
from tiktok.storage import (
    StorageUnavailable,
    storage_delete,
    storage_listing,
    storage_local_path,
    storage_put,
)
from videos.models import PipelineStep, StepName, Video
from videos.services.storage import video_prefix

FILE_FIELDS = ("original", "mp4", "hls_playlist", "thumbnail", "poster")


class Command(BaseCommand):
    help = "Move media files to the videos/<media_key>/ layout of the configured store."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--from-folder",
            type=Path,
            default=None,
            help="a local media folder (the old MEDIA_ROOT) to copy into the configured store",
        )
        parser.add_argument("--dry-run", action="store_true", help="report, change nothing")

    def handle(self, *args, **options) -> None:  # noqa: ANN002, ANN003
        folder: Path | None = options["from_folder"]
        if folder is not None and not folder.is_dir():
            raise CommandError(f"--from-folder {folder}: no such folder")
        dry_run = options["dry_run"]
        moved = failed = 0
        try:
            for video in Video.objects.order_by("pk").iterator():
                try:
                    count = self._video(video, folder, dry_run)
                except StorageUnavailable:
                    raise  # the store is down: every video would fail alike
                except Exception as exc:  # noqa: BLE001 - one video never stops the others
                    failed += 1
                    detail = (
                        str(exc) if isinstance(exc, OSError) else f"{type(exc).__name__}: {exc}"
                    )
                    self.stderr.write(f"video {video.pk}: {detail}")
                    continue
                if count:
                    moved += count
                    action = "would move" if dry_run else "moved"
                    self.stdout.write(
                        f"video {video.pk}: {action} {count} files to {video_prefix(video)}"
                    )
            if folder is not None:
                moved += self._avatars(folder, dry_run)
        except StorageUnavailable as exc:
            raise CommandError(str(exc)) from exc
        verb = "would move" if dry_run else "moved"
        self.stdout.write(f"{verb} {moved} files; {failed} video(s) failed")
        if failed:
            raise CommandError(f"{failed} video(s) could not be moved (see above)")

    def _video(self, video: Video, folder: Path | None, dry_run: bool) -> int:
        legacy = f"videos/{video.pk}/"
        current = video_prefix(video)
        sources: dict[str, tuple[str, Path | None]] = {}  # new name -> (old name, local file)
        if folder is not None:
            for prefix in (legacy, current):
                root = folder / prefix
                for path in _regular_files(root, inside=folder):
                    rest = path.relative_to(root).as_posix()
                    sources[current + rest] = (prefix + rest, path)
        else:
            for name in storage_listing(legacy):
                sources[current + name[len(legacy) :]] = (name, None)
        if not sources:
            return 0
        if dry_run:
            return len(sources)
        in_place = storage_listing(current)
        for new_name, (old_name, local) in sources.items():
            if new_name in in_place:
                continue  # moved before, or written since by the pipeline: the newer one
            if local is not None:
                storage_put(new_name, local)
            else:
                with storage_local_path(old_name) as copy:
                    storage_put(new_name, copy)
        self._repoint(video, legacy, current)
        if folder is None:
            for _, (old_name, _) in sources.items():
                storage_delete(old_name)
        return len(sources)

    @transaction.atomic
    def _repoint(self, video: Video, legacy: str, current: str) -> None:
        """The row's file names and the transcode step's outputs, moved to the new prefix."""
        changed = []
        for field in FILE_FIELDS:
            name = getattr(video, field).name
            if name and name.startswith(legacy):
                getattr(video, field).name = current + name[len(legacy) :]
                changed.append(field)
        if changed:
            video.save(update_fields=changed)
        step = PipelineStep.objects.filter(video=video, name=StepName.TRANSCODE).first()
        if step is None or not step.detail:
            return
        detail = dict(step.detail)
        detail["frames"] = [
            current + name[len(legacy) :] if name.startswith(legacy) else name
            for name in detail.get("frames") or []
        ]
        audio = detail.get("audio") or ""
        if audio.startswith(legacy):
            detail["audio"] = current + audio[len(legacy) :]
        if detail != step.detail:
            step.detail = detail
            step.save(update_fields=["detail"])

    def _avatars(self, folder: Path, dry_run: bool) -> int:
        wanted = {
            name
            for name in User.objects.exclude(avatar="").values_list("avatar", flat=True)
            if _regular_file(folder / name, inside=folder)
        }
        if dry_run or not wanted:
            return len(wanted)
        in_place = storage_listing("avatars")
        for name in sorted(wanted):
            if name not in in_place:
                storage_put(name, folder / name)
        self.stdout.write(f"avatars: {len(wanted)} files")
        return len(wanted)


def _regular_file(path: Path, *, inside: Path) -> bool:
    """A regular file, not a link, whose real place is inside the folder."""
    try:
        return not path.is_symlink() and path.is_file() and _inside(path, inside)
    except OSError:
        return False


def _regular_files(root: Path, *, inside: Path) -> list[Path]:
    """The regular files under root (links, to files or folders, are not followed), sorted."""
    if not root.is_dir() or not _inside(root, inside):
        return []
    found = []
    for directory, _, names in os.walk(root, followlinks=False):
        found.extend(
            Path(directory) / name
            for name in names
            if _regular_file(Path(directory) / name, inside=inside)
        )
    return sorted(found)


def _inside(path: Path, folder: Path) -> bool:
    try:
        return path.resolve().is_relative_to(folder.resolve())
    except (OSError, ValueError):
        return False
