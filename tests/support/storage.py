"""The media store of one test: a folder of its own in the suite's real store (a key prefix in
the embedded SeaweedFS bucket, or a temporary folder with STORAGE_BACKEND=filesystem)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from botocore.awsrequest import AWSResponse
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage, storages
from storages.backends.s3 import S3Storage

from tiktok.storage import storage_names


class MediaStore:
    def __init__(self, config: dict[str, Any]) -> None:
        # Its own storage object: cleaning up still works when a test broke the settings.
        self._storage = storages.create_storage(config)

    def names(self, prefix: str = "") -> list[str]:
        """Every stored name (under `prefix`), sorted."""
        return sorted(storage_names(prefix))

    def put(self, name: str, data: bytes) -> str:
        stored = default_storage.save(name, ContentFile(data))
        assert stored == name, (stored, name)
        return stored

    def read(self, name: str) -> bytes:
        with default_storage.open(name, "rb") as handle:
            return handle.read()

    def clear(self) -> None:
        storage = self._storage
        if not isinstance(storage, S3Storage):
            shutil.rmtree(storage.location, ignore_errors=True)
            return
        client = storage.connection.meta.client
        prefix = storage.location.strip("/") + "/"
        for page in client.get_paginator("list_objects_v2").paginate(
            Bucket=storage.bucket_name, Prefix=prefix
        ):
            keys = [{"Key": item["Key"]} for item in page.get("Contents", [])]
            if keys:
                client.delete_objects(Bucket=storage.bucket_name, Delete={"Objects": keys})


class _Body:
    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, **kwargs: Any):  # noqa: ANN201
        yield self._body


@contextmanager
def store_fails(
    operation: str,
    *,
    status: int = 500,
    code: str = "InternalError",
    times: int | None = None,
) -> Iterator[list[str]]:
    """The real store's client answers `status` to `operation` (an S3 API operation name:
    PutObject, DeleteObjects, ...) instead of sending it, the first `times` times (every time
    when None): a store that is full, overloaded or refusing. Yields the URLs it failed."""
    client = default_storage.connection.meta.client
    body = f"<Error><Code>{code}</Code><Message>injected by the test</Message></Error>".encode()
    failed: list[str] = []
    event, unique_id = f"before-send.s3.{operation}", f"test-fails-{operation}"

    def answer(request: Any, **kwargs: Any) -> AWSResponse | None:
        if times is not None and len(failed) >= times:
            return None
        failed.append(request.url)
        return AWSResponse(request.url, status, {}, _Body(body))

    client.meta.events.register(event, answer, unique_id=unique_id)
    try:
        yield failed
    finally:
        client.meta.events.unregister(event, unique_id=unique_id)


@contextmanager
def store_requests() -> Iterator[list[str]]:
    """Every S3 operation the store's client sends in the block, by name."""
    client = default_storage.connection.meta.client
    sent: list[str] = []

    def record(model: Any, **kwargs: Any) -> None:
        sent.append(model.name)

    client.meta.events.register("before-call.s3", record, unique_id="test-requests")
    try:
        yield sent
    finally:
        client.meta.events.unregister("before-call.s3", unique_id="test-requests")
