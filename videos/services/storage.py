"""Files of a video through Django's storage API (local disk by default, S3-compatible by
settings); PyAV needs local paths, so reads may go through a temporary copy."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.core.files import File
from django.core.files.storage import default_storage

COPY_CHUNK_BYTES = 1024 * 1024


def video_prefix(video_id: int) -> str:
    return f"videos/{int(video_id)}/"


def storage_put(name: str, local_path: Path) -> str:
    """Store a local file under exactly `name`, replacing what was there (steps re-run)."""
    if default_storage.exists(name):
        default_storage.delete(name)
    with Path(local_path).open("rb") as handle:
        stored = default_storage.save(name, File(handle, name=Path(name).name))
    if stored != name:
        default_storage.delete(stored)
        raise RuntimeError(f"storage renamed {name!r} to {stored!r}")
    return stored


def storage_delete_tree(prefix: str) -> None:
    """Delete every file under `prefix` (a folder name ending in '/')."""
    prefix = prefix.rstrip("/") + "/"
    try:
        directories, files = default_storage.listdir(prefix)
    except (FileNotFoundError, NotADirectoryError):
        return
    for name in files:
        default_storage.delete(prefix + name)
    for directory in directories:
        storage_delete_tree(prefix + directory + "/")
    try:
        local = Path(default_storage.path(prefix))
    except NotImplementedError:
        return
    shutil.rmtree(local, ignore_errors=True)


@contextmanager
def storage_local_path(name: str) -> Iterator[Path]:
    """A local path with the stored file's bytes (the file itself on local storage)."""
    try:
        path = Path(default_storage.path(name))
    except NotImplementedError:
        path = None
    if path is not None:
        yield path
        return
    suffix = Path(name).suffix
    with tempfile.NamedTemporaryFile(suffix=suffix) as temporary:
        with default_storage.open(name, "rb") as source:
            shutil.copyfileobj(source, temporary, COPY_CHUNK_BYTES)
        temporary.flush()
        yield Path(temporary.name)
