"""The media store, one API over S3 (default) and a local folder: put, read a byte range, list and
delete by prefix, presigned URLs, and the health check.

Stored names never become public URLs by themselves: `url(name)` is the application's media
view (MEDIA_URL + name), which checks who may see the file before any byte leaves (see
videos.media_serving). Failures to reach the store are raised as `StorageUnavailable` (HTTP 503
with the API's error shape) so nothing half-written is reported as success; a file the store
answers it does not have is `StorageObjectMissing` (waiting does not bring it back).
"""

from __future__ import annotations

import logging
import mimetypes
import os
import shutil
import socket
import tempfile
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from celery import Task, shared_task
from django.conf import settings
from django.core.files import File
from django.core.files.storage import FileSystemStorage, default_storage
from django.db import transaction
from django.utils.encoding import filepath_to_uri
from storages.backends.s3 import S3Storage

from tiktok.errors import NotFound, Unavailable

logger = logging.getLogger(__name__)

COPY_CHUNK_BYTES = 1024 * 1024
DELETE_BATCH = 1000  # the S3 API's limit per DeleteObjects call


class StorageUnavailable(Unavailable):
    """The media store cannot be reached or refuses the project's credentials or bucket."""

    default_code = "storage_unavailable"


class StorageObjectMissing(NotFound):
    """The store answered that it has no file under this name (S3's 404 / NoSuchKey, a missing
    file on disk): retrying will not bring it back."""

    default_code = "stored_file_missing"


MISSING_OBJECT_CODES = ("404", "NoSuchKey", "NotFound")


def _storage_errors() -> tuple[type[BaseException], ...]:
    from boto3.exceptions import Boto3Error
    from botocore.exceptions import BotoCoreError, ClientError

    # Boto3Error: boto3's transfers (upload_file) raise a store's 5xx or 403 as
    # S3UploadFailedError, which is neither of botocore's.
    return (Boto3Error, BotoCoreError, ClientError, OSError)


def _object_missing(exc: BaseException) -> bool:
    """Whether a storage error says the file is not there (not that the store is down)."""
    from botocore.exceptions import ClientError

    if isinstance(exc, FileNotFoundError):
        return True
    return (
        isinstance(exc, ClientError)
        and exc.response.get("Error", {}).get("Code") in MISSING_OBJECT_CODES
    )


def _read_failure(exc: BaseException, name: str) -> StorageObjectMissing | StorageUnavailable:
    """What reading `name` failing with `exc` means: the file is missing, or the store is down."""
    if _object_missing(exc):
        return StorageObjectMissing(f"no stored file {name!r}")
    return StorageUnavailable(f"media storage is unavailable: {exc}")


class S3MediaStorage(S3Storage):
    """django-storages' S3 backend whose URLs are the application's media view."""

    def url(self, name: str, parameters: Any = None, expire: Any = None, http_method: Any = None):  # noqa: ANN201
        return settings.MEDIA_URL + filepath_to_uri(name)

    def signed_url(self, name: str, *, seconds: int, content_type: str | None = None) -> str:
        """A presigned GET URL of the object, valid `seconds`."""
        params: dict[str, Any] = {"Bucket": self.bucket_name, "Key": self._normalize_name(name)}
        if content_type:
            params["ResponseContentType"] = content_type
        return self.connection.meta.client.generate_presigned_url(
            "get_object", Params=params, ExpiresIn=seconds
        )

    def object_key(self, name: str) -> str:
        return self._normalize_name(name)


class FileSystemMediaStorage(FileSystemStorage):
    """Files under MEDIA_ROOT (STORAGE_BACKEND=filesystem); same URLs as the S3 backend."""


def _s3() -> S3MediaStorage | None:
    """The default storage when it is the S3 backend (the lazy proxy passes isinstance)."""
    return default_storage if isinstance(default_storage, S3Storage) else None


@contextmanager
def storage_errors_as_unavailable() -> Iterator[None]:
    """Raise the store's errors in the block as `StorageUnavailable` (HTTP 503, a step's
    outage), for writes through Django's storage API (a FileField's `save`)."""
    try:
        yield
    except _storage_errors() as exc:
        raise StorageUnavailable(f"media storage is unavailable: {exc}") from exc


def storage_put(name: str, local_path: Path) -> str:
    """Store a local file under exactly `name`, replacing what was there (steps re-run)."""
    with storage_errors_as_unavailable(), Path(local_path).open("rb") as handle:
        stored = default_storage.save(name, File(handle, name=Path(name).name))
    if stored != name:
        default_storage.delete(stored)
        raise RuntimeError(f"storage renamed {name!r} to {stored!r}")
    return stored


def storage_put_many(items: list[tuple[str, Path]], *, threads: int = 8) -> list[str]:
    """`storage_put` of many files at once (a video's HLS segments and frames): on S3 the
    uploads run in parallel on one client, which is thread-safe."""
    s3 = _s3()
    if s3 is None or len(items) < 2:
        return [storage_put(name, path) for name, path in items]
    client = s3.connection.meta.client

    def upload(item: tuple[str, Path]) -> str:
        name, path = item
        client.upload_file(
            str(path),
            s3.bucket_name,
            s3.object_key(name),
            ExtraArgs={"ContentType": _content_type(name)},
        )
        return name

    with (
        storage_errors_as_unavailable(),
        ThreadPoolExecutor(max_workers=threads, thread_name_prefix="storage-put") as pool,
    ):
        return list(pool.map(upload, items))


def _content_type(name: str) -> str:
    return mimetypes.guess_type(name)[0] or "application/octet-stream"


def storage_exists(name: str) -> bool:
    with storage_errors_as_unavailable():
        return default_storage.exists(name)


@dataclass(frozen=True)
class StoredFile:
    size: int
    last_modified: float | None  # epoch seconds
    # A strong validator of the content (the store's ETag; size and modification time for a
    # local file), quoted as HTTP writes it; None when unknown.
    etag: str | None = None


def storage_listing(prefix: str = "") -> dict[str, StoredFile]:
    """Every stored file under `prefix` (a folder; "" for everything), at any depth, with its
    size and modification time."""
    prefix = prefix.rstrip("/") + "/" if prefix else ""
    s3 = _s3()
    if s3 is not None:
        client = s3.connection.meta.client
        if prefix:
            key_prefix = s3.object_key(prefix)
        else:
            key_prefix = s3.location.strip("/") + "/" if s3.location else ""
        strip = len(key_prefix) - len(prefix)
        listing = {}
        try:
            for page in client.get_paginator("list_objects_v2").paginate(
                Bucket=s3.bucket_name, Prefix=key_prefix
            ):
                for item in page.get("Contents", []):
                    listing[item["Key"][strip:]] = StoredFile(
                        size=int(item["Size"]), last_modified=item["LastModified"].timestamp()
                    )
        except _storage_errors() as exc:
            raise StorageUnavailable(f"media storage is unavailable: {exc}") from exc
        return listing
    root = Path(default_storage.path(prefix))
    if not root.is_dir():
        return {}
    base = Path(default_storage.path(""))
    listing = {}
    for path in root.rglob("*"):
        if path.is_file():
            stat = path.stat()
            listing[str(path.relative_to(base))] = StoredFile(stat.st_size, stat.st_mtime)
    return listing


def storage_names(prefix: str = "") -> list[str]:
    """Every stored name under `prefix` (a folder; "" for everything), at any depth."""
    return sorted(storage_listing(prefix))


def storage_delete_prefix(prefix: str) -> int:
    """Delete every stored file under `prefix` (a folder); returns how many."""
    if not prefix.strip("/"):
        raise ValueError("refusing to delete everything: name a folder")
    prefix = prefix.rstrip("/") + "/"
    s3 = _s3()
    if s3 is None:
        names = storage_names(prefix)
        shutil.rmtree(Path(default_storage.path(prefix)), ignore_errors=True)
        return len(names)
    client = s3.connection.meta.client
    keys = [s3.object_key(name) for name in storage_names(prefix)]
    for start in range(0, len(keys), DELETE_BATCH):
        batch = keys[start : start + DELETE_BATCH]
        with storage_errors_as_unavailable():
            answer = client.delete_objects(
                Bucket=s3.bucket_name,
                Delete={"Objects": [{"Key": key} for key in batch], "Quiet": True},
            )
        # A 200 can still name keys it did not delete (an internal error per key).
        if errors := answer.get("Errors"):
            first = errors[0]
            raise StorageUnavailable(
                f"media storage did not delete {len(errors)} file(s) under {prefix}: "
                f"{first.get('Code')} {first.get('Message')}"
            )
    return len(keys)


def storage_delete(name: str) -> None:
    """Delete one stored file (none there is no error)."""
    with storage_errors_as_unavailable():
        default_storage.delete(name)


# A deletion the store refused is tried again after 1, 2, 4, ... 60 minutes, about 5 hours in
# all; what is still there then, the daily orphan sweep (videos.media_orphans_sweep) removes.
STORAGE_DELETE_RETRIES = 10


@shared_task(
    name="storage.delete",
    bind=True,
    acks_late=True,
    ignore_result=True,
    max_retries=STORAGE_DELETE_RETRIES,
)
def storage_delete_task(self: Task, *, prefixes: list[str], names: list[str]) -> int:
    """Delete stored folders and files whose rows are gone; retried through a store outage."""
    removed = 0
    try:
        for prefix in prefixes:
            removed += storage_delete_prefix(prefix)
        for name in names:
            storage_delete(name)
            removed += 1
    except StorageUnavailable as exc:
        if self.request.retries >= STORAGE_DELETE_RETRIES:
            logger.warning(
                "gave up deleting %s %s: %s (the orphan sweep will)", prefixes, names, exc
            )
            return removed
        raise self.retry(exc=exc, countdown=min(3600, 60 * 2**self.request.retries)) from exc
    return removed


def storage_delete_later(*, prefixes: Sequence[str] = (), names: Sequence[str] = ()) -> None:
    """Delete these folders and files once the current transaction commits, in a worker
    (`storage.delete`). The request that deleted the rows does not wait on the store: a store
    that does not answer held an account's erasure for minutes per video, one after another,
    and a failed delete answered a committed edit with a 500. Nothing is deleted if the
    transaction rolls back; what a lost task leaves, the daily orphan sweep removes."""
    prefixes, names = [p for p in prefixes if p.strip("/")], [n for n in names if n]
    if not prefixes and not names:
        return

    def enqueue() -> None:
        try:
            storage_delete_task.delay(prefixes=prefixes, names=names)
        except Exception:  # noqa: BLE001 - the rows are gone; the orphan sweep removes the files
            logger.warning("could not queue the deletion of %s %s", prefixes, names, exc_info=True)

    transaction.on_commit(enqueue)


_HOST = socket.gethostname()


def storage_temp_root() -> Path:
    """This process's folder for local copies of stored files and the pipeline's work:
    `<PIPELINE_TEMP_ROOT>/<host>-<pid>`, made if missing. One folder per process, so what a
    process killed mid-step left is told apart from what a live one uses (`storage_temp_clean`)."""
    root = Path(settings.PIPELINE_TEMP_ROOT) / f"{_HOST}-{os.getpid()}"
    root.mkdir(parents=True, exist_ok=True)
    return root


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


def _owner_on_this_host(name: str) -> int | None:
    """The pid of the process of this host a `<host>-<pid>` folder belongs to, else None."""
    host, _, pid = name.rpartition("-")
    return int(pid) if host == _HOST and pid.isascii() and pid.isdigit() else None


def storage_temp_clean(*, older_than_seconds: float) -> int:
    """Remove what processes no longer running left under PIPELINE_TEMP_ROOT (a SIGKILLed or
    OOM-killed step never removes its own); returns how many entries were removed.

    A folder of a process of this host goes once that process is gone, whatever its age, and
    never while it runs: an `ingest_folder --sync` step has no hard limit and may read a copy
    for longer than any worker's. Anything else (another host's folder on a shared disk, a
    loose entry) goes once last changed over `older_than_seconds` ago."""
    top = Path(settings.PIPELINE_TEMP_ROOT)
    if not top.is_dir():
        return 0
    cutoff = time.time() - older_than_seconds
    removed = 0
    for entry in top.iterdir():
        try:
            owner = _owner_on_this_host(entry.name)
            if owner is not None:
                if _pid_alive(owner):
                    continue
            elif entry.lstat().st_mtime >= cutoff:
                continue
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry)
            else:
                entry.unlink()
        except FileNotFoundError:
            continue  # another worker process removed it first
        removed += 1
    return removed


@contextmanager
def storage_local_path(name: str) -> Iterator[Path]:
    """A local path with the stored file's bytes: the file itself on the filesystem backend,
    else a temporary copy (workers never assume they share a disk with anyone)."""
    if _s3() is None:
        path = Path(default_storage.path(name))
        if not path.is_file():
            raise StorageObjectMissing(f"no stored file {name!r}")
        yield path
        return
    with tempfile.NamedTemporaryFile(
        suffix=Path(name).suffix, dir=storage_temp_root()
    ) as temporary:
        try:
            with default_storage.open(name, "rb") as source:
                shutil.copyfileobj(source, temporary, COPY_CHUNK_BYTES)
        except _storage_errors() as exc:
            raise _read_failure(exc, name) from exc
        temporary.flush()
        yield Path(temporary.name)


@contextmanager
def storage_local_paths(names: list[str], *, threads: int = 8) -> Iterator[list[Path]]:
    """`storage_local_path` of many files at once (a video's sampled frames): on S3 they are
    downloaded in parallel into one temporary folder, removed afterwards."""
    s3 = _s3()
    if s3 is None or len(names) < 2:
        with ExitStack() as stack:
            yield [stack.enter_context(storage_local_path(name)) for name in names]
        return
    client = s3.connection.meta.client
    with tempfile.TemporaryDirectory(prefix="storage-", dir=storage_temp_root()) as folder:
        targets = [
            Path(folder) / f"{index:04d}{Path(name).suffix}" for index, name in enumerate(names)
        ]

        def download(item: tuple[str, Path]) -> None:
            name, target = item
            try:
                body = client.get_object(Bucket=s3.bucket_name, Key=s3.object_key(name))["Body"]
                with body, target.open("wb") as handle:
                    shutil.copyfileobj(body, handle, COPY_CHUNK_BYTES)
            except _storage_errors() as exc:
                raise _read_failure(exc, name) from exc

        with ThreadPoolExecutor(max_workers=threads, thread_name_prefix="storage-get") as pool:
            list(pool.map(download, zip(names, targets, strict=True)))
        yield targets


def storage_stat(name: str) -> StoredFile | None:
    """Size and modification time of a stored file, or None when there is none."""
    s3 = _s3()
    if s3 is None:
        path = Path(default_storage.path(name))
        if not path.is_file():
            return None
        stat = path.stat()
        return StoredFile(
            size=stat.st_size,
            last_modified=stat.st_mtime,
            etag=f'"{stat.st_size:x}-{stat.st_mtime_ns:x}"',
        )
    from botocore.exceptions import ClientError

    try:
        head = s3.connection.meta.client.head_object(Bucket=s3.bucket_name, Key=s3.object_key(name))
    except ClientError as exc:
        if _object_missing(exc):
            return None
        raise StorageUnavailable(f"media storage is unavailable: {exc}") from exc
    except _storage_errors() as exc:
        raise StorageUnavailable(f"media storage is unavailable: {exc}") from exc
    etag = head.get("ETag") or None
    return StoredFile(
        size=int(head["ContentLength"]),
        last_modified=head["LastModified"].timestamp(),
        etag=etag if etag and etag.startswith('"') else None,
    )


def storage_read_range(name: str, first: int, last: int, chunk_bytes: int) -> Iterator[bytes]:
    """The bytes first..last (inclusive) of a stored file, in chunks, streamed. The file is
    opened here, before any byte is read: a store that refuses it raises StorageUnavailable
    (or StorageObjectMissing) at the call, while an answer can still say so (opened on the
    first chunk, a refusal came after a media response had started: the viewer's connection
    hung). A failure later, mid-stream, raises StorageUnavailable from the iteration."""
    s3 = _s3()
    if s3 is None:
        try:
            handle = Path(default_storage.path(name)).open("rb")  # noqa: SIM115 - closed below
        except FileNotFoundError as exc:
            raise StorageObjectMissing(f"no stored file {name!r}") from exc
        return _file_chunks(handle, first, last, chunk_bytes)
    try:
        response = s3.connection.meta.client.get_object(
            Bucket=s3.bucket_name, Key=s3.object_key(name), Range=f"bytes={first}-{last}"
        )
    except _storage_errors() as exc:
        raise _read_failure(exc, name) from exc
    return _body_chunks(response["Body"], chunk_bytes)


def _file_chunks(handle: Any, first: int, last: int, chunk_bytes: int) -> Iterator[bytes]:
    with handle:
        handle.seek(first)
        remaining = last - first + 1
        while remaining > 0:
            chunk = handle.read(min(chunk_bytes, remaining))
            if not chunk:
                return
            remaining -= len(chunk)
            yield chunk


def _body_chunks(body: Any, chunk_bytes: int) -> Iterator[bytes]:
    try:
        yield from body.iter_chunks(chunk_bytes)
    except _storage_errors() as exc:
        raise StorageUnavailable(f"media storage failed mid-read: {exc}") from exc
    finally:
        body.close()


def storage_signed_url(name: str, *, content_type: str | None = None) -> str:
    """A presigned URL of a stored file valid MEDIA_SIGNED_URL_SECONDS (S3 only)."""
    s3 = _s3()
    if s3 is None:
        raise RuntimeError("presigned URLs need STORAGE_BACKEND=s3")
    return s3.signed_url(name, seconds=settings.MEDIA_SIGNED_URL_SECONDS, content_type=content_type)


def storage_bucket_ensure() -> bool:
    """Create the S3 bucket if it does not exist; True when it was created."""
    from botocore.exceptions import ClientError

    s3 = _s3()
    if s3 is None:
        raise RuntimeError("buckets exist with STORAGE_BACKEND=s3 only")
    client = s3.connection.meta.client
    try:
        client.head_bucket(Bucket=s3.bucket_name)
        return False
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") not in ("404", "NoSuchBucket", "NotFound"):
            raise StorageUnavailable(f"media storage is unavailable: {exc}") from exc
    except _storage_errors() as exc:
        raise StorageUnavailable(f"media storage is unavailable: {exc}") from exc
    try:
        client.create_bucket(Bucket=s3.bucket_name, **bucket_location())
    except _storage_errors() as exc:
        raise StorageUnavailable(f"cannot create bucket {s3.bucket_name}: {exc}") from exc
    return True


def bucket_location() -> dict[str, Any]:
    """What AWS needs to create a bucket outside us-east-1 (it refuses a bare CreateBucket there
    with IllegalLocationConstraintException); nothing for us-east-1 and for stores of our own
    (SeaweedFS, MinIO: `S3_ENDPOINT_URL`)."""
    region = settings.S3_REGION
    if settings.S3_ENDPOINT_URL or not region or region == "us-east-1":
        return {}
    return {"CreateBucketConfiguration": {"LocationConstraint": region}}


# How long the health check waits for the store, in one attempt: with the media client's timeout
# and retries (S3_READ_TIMEOUT_SECONDS, 4 attempts) a store that accepts connections and never
# answers held the health report for four minutes.
STORAGE_CHECK_TIMEOUT_SECONDS = 5.0


_probes: dict[tuple, Any] = {}


def _probe(s3: Any, timeout_s: float) -> Any:
    """A client of the store with the storage's credentials and endpoint, one attempt of
    timeout_s; made once per process and configuration (a client is ~200 ms to build, and with
    role credentials a credential fetch)."""
    config = s3.client_config
    key = (s3.endpoint_url, s3.region_name, s3.access_key, s3.secret_key, str(config.s3), timeout_s)
    probe = _probes.get(key)
    if probe is None:
        from botocore.config import Config

        probe = s3._create_session().client(  # noqa: SLF001 - the storage's own credentials
            "s3",
            region_name=s3.region_name,
            use_ssl=s3.use_ssl,
            endpoint_url=s3.endpoint_url,
            verify=s3.verify,
            config=config.merge(
                Config(
                    connect_timeout=timeout_s,
                    read_timeout=timeout_s,
                    retries={"total_max_attempts": 1, "mode": "standard"},
                )
            ),
        )
        _probes[key] = probe
    return probe


def check_storage(timeout_s: float = STORAGE_CHECK_TIMEOUT_SECONDS) -> dict[str, Any]:
    """Health: the store answers within timeout_s (one attempt) and the bucket (or folder) is
    there and ours."""
    s3 = _s3()
    if s3 is None:
        root = Path(settings.MEDIA_ROOT)
        if not root.is_dir():
            raise RuntimeError(f"MEDIA_ROOT {root} does not exist")
        return {"backend": "filesystem", "root": str(root)}
    _probe(s3, timeout_s).head_bucket(Bucket=s3.bucket_name)
    return {
        "backend": "s3",
        "bucket": s3.bucket_name,
        "endpoint": settings.S3_ENDPOINT_URL or "aws",
        "embedded": settings.S3_EMBEDDED,
    }
